/**
 * What one transition writes besides the instance row: the audit record it appends, the rows of
 * its plan (timers, documents, outbox, domain writers), the instance's correlation values, and
 * the check that its keys fit their columns. Used by the write path (`transition.service.ts`); the audit shape of an armed timer is
 * shared with the deadline recomputation (`calendar-sync.ts`).
 */
import { AppError, ErrorCode } from '../common/app-error';
import { unstorableText } from '../common/storable-text.util';
import type { Actor, StepResult } from '../compiler/process-machine.contract';
import { auditHash, type AuditRecord } from '../audit/audit-chain';
import { insertAuditEntry } from '../audit/audit-entries';
import type { SqlExecutor } from '../persistence/database';
import { correlationHash, correlationValues } from '../definitions/definition-correlation';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { DomainFunctionRegistry } from './domain-functions';
import type { InstanceRow } from './instance-rows';
import type { ResumedTimer, TransitionPlan } from './transition-plan';

/** A timer as an audit entry records it (armed by a step, or moved by a calendar change). */
export function auditedTimer(t: { id: string; deadline: string; event: string; dueAt: string; provisional: boolean; resumed?: ResumedTimer }) {
  return {
    id: t.id,
    deadline: t.deadline,
    event: t.event,
    dueAt: t.dueAt,
    ...(t.provisional ? { provisional: true } : {}),
    ...(t.resumed ? { resumed: t.resumed } : {}),
  };
}

/**
 * Keeps the instance's correlation rows (`correlation:` of its definition version) equal to its
 * context, in the transaction that writes the instance row: nothing is written when no
 * correlation value changed (`before` is the context before the step; null on creation).
 */
export async function writeCorrelations(
  tx: SqlExecutor,
  instance: { readonly id: string; readonly definition: string },
  definition: Pick<ProcessDefinition, 'correlation'>,
  before: Readonly<Record<string, unknown>> | null,
  after: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (definition.correlation.length === 0) return;
  const next = correlationValues(definition, after);
  const previous = before ? correlationValues(definition, before) : {};
  const names = new Set([...Object.keys(next), ...Object.keys(previous)]);
  for (const name of names) {
    if (before && previous[name] === next[name]) continue;
    if (before) await tx.run('DELETE FROM instance_correlations WHERE instance_id = $1 AND name = $2', [instance.id, name]);
    if (next[name] === undefined) continue;
    await tx.run('INSERT INTO instance_correlations (instance_id, name, definition_key, value, value_hash) VALUES ($1, $2, $3, $4, $5)', [
      instance.id,
      name,
      instance.definition,
      next[name],
      correlationHash(next[name]),
    ]);
  }
}

/** Timers cancelled and armed, documents and outbox messages, domain writers: in the transition's transaction. */
export async function writePlanRows(
  tx: SqlExecutor,
  functions: Pick<DomainFunctionRegistry, 'writer'>,
  instance: { id: string; definition: string; businessKey: string; context: Record<string, unknown> },
  seq: number,
  plan: TransitionPlan,
  clockNow: Date,
): Promise<void> {
  const instanceId = instance.id;
  const now = clockNow.toISOString();
  if (plan.suspend.length > 0) {
    // Suspended, not cancelled: the time left is kept for the return (`suspend:` on the deadline).
    const marks = plan.suspend.map((_, i) => `$${i + 3}`).join(', ');
    await tx.run(`UPDATE timers SET status = 'suspended', suspended_at = $2 WHERE instance_id = $1 AND status = 'pending' AND deadline IN (${marks})`, [
      instanceId,
      now,
      ...plan.suspend,
    ]);
  }
  for (const settled of plan.settleSuspended) {
    await tx.run(`UPDATE timers SET status = $1 WHERE id = $2 AND status = 'suspended'`, [settled.status, settled.id]);
  }
  if (plan.cancelAll) {
    await tx.run(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status IN ('pending', 'suspended')`, [instanceId]);
  } else if (plan.cancelStates.length > 0) {
    const marks = plan.cancelStates.map((_, i) => `$${i + 2}`).join(', ');
    await tx.run(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending' AND state IN (${marks})`, [
      instanceId,
      ...plan.cancelStates,
    ]);
  }
  for (const t of plan.timers) {
    await tx.run(
      `INSERT INTO timers (id, instance_id, state, deadline, event_type, payload, due_at, status, created_seq, created_at, provisional, basis)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11)`,
      [
        t.id,
        instanceId,
        t.state,
        t.deadline,
        t.eventType,
        JSON.stringify(t.payload),
        t.dueAt,
        seq,
        now,
        t.provisional ? 1 : 0,
        t.basis ? JSON.stringify(t.basis) : null,
      ],
    );
  }
  for (const d of plan.documents) {
    await tx.run(
      `INSERT INTO documents (id, instance_id, audit_seq, template, template_hash, title, html, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.id, instanceId, seq, d.template, d.templateHash, d.title, d.html, now],
    );
  }
  for (const o of plan.outbox) {
    await tx.run(
      `INSERT INTO outbox (id, instance_id, audit_seq, kind, params, document_id, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)`,
      [o.id, instanceId, seq, o.kind, JSON.stringify(o.params), o.documentId, now, now],
    );
  }
  // 抄送: one row per person copied (a role's holders as of now), unread until they open the case.
  for (const copy of plan.copies ?? []) {
    const people = new Set(copy.users);
    if (copy.roles.length > 0) {
      for (const u of await tx.rows<{ username: string; roles: string }>('SELECT username, roles FROM users')) {
        if ((JSON.parse(u.roles) as string[]).some((r) => copy.roles.includes(r))) people.add(u.username);
      }
    }
    for (const username of people) {
      if (username.length > 100) continue;
      await tx.run(`INSERT INTO case_copies (instance_id, audit_seq, username, message, created_at, read_at) VALUES ($1, $2, $3, $4, $5, NULL)`, [
        instanceId,
        seq,
        username,
        copy.message,
        now,
      ]);
    }
  }
  for (const a of plan.applies) {
    const writer = functions.writer(a.function);
    if (!writer)
      throw new AppError(
        ErrorCode.Internal,
        `'apply' names the domain writer '${a.function}', which this engine build does not have: deploy a build that has it`,
      );
    await writer({ tx, instance, args: a.args, seq, now: clockNow });
  }
}

export function auditRecord(
  instanceId: string,
  seq: number,
  prevHash: string,
  eventType: string,
  payload: unknown,
  actor: Actor,
  fromState: string | null,
  step: StepResult,
  plan: TransitionPlan,
  definitionVersionId: string,
  at: string,
  /** What sent the event when no person did (`Cause` of transition.service.ts). */
  cause?: object,
): AuditRecord {
  return {
    instanceId,
    seq,
    eventType,
    payload: JSON.stringify(payload),
    actor: actor.id,
    actorRoles: JSON.stringify(actor.roles),
    actorAttributes: actor.attributes && Object.keys(actor.attributes).length ? JSON.stringify(actor.attributes) : null,
    fromState,
    toState: step.state,
    definitionVersionId,
    at,
    prevHash,
    cause: cause ? JSON.stringify(cause) : null,
    effects: JSON.stringify({
      effects: plan.effects,
      timers: plan.timers.map((t) =>
        auditedTimer({
          id: t.id,
          deadline: t.deadline,
          event: t.eventType,
          dueAt: t.dueAt,
          provisional: t.provisional,
          ...(t.resumed ? { resumed: t.resumed } : {}),
        }),
      ),
      ...(plan.cancelAll || plan.cancelStates.length ? { cancelledTimersOf: plan.cancelAll ? '*' : plan.cancelStates } : {}),
      ...(plan.suspend.length ? { suspendedTimersOf: plan.suspend } : {}),
      ...(Object.keys(plan.contextUpdates).length ? { contextUpdates: plan.contextUpdates } : {}),
    }),
  };
}

/**
 * The business key and the idempotency key fill `varchar(200)` columns. Whoever starts the
 * instance (the API, a process service composing a key, a `start:` action), a key the database
 * cannot store is refused here, alike on both databases, naming the field.
 */
export function refuseUnstorableKeys(input: { businessKey: string; idempotencyKey?: string }): void {
  const errors = (
    [
      ['businessKey', input.businessKey],
      ['idempotencyKey', input.idempotencyKey],
    ] as const
  ).flatMap(([field, value]) => {
    const why = value === undefined ? undefined : unstorableText(value, 200);
    return why ? [{ path: `$.${field}`, message: why }] : [];
  });
  if (errors.length > 0) {
    throw new AppError(ErrorCode.BadRequest, `the instance cannot be started: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  }
}

/**
 * An audit entry that records an act on a case without moving it (who holds its step, a
 * reminder): the next entry of its chain, written with `within`'s rows in one transaction on
 * the instance's version (`what` names the act in the conflict message). The case's waiting
 * time (`updated_at`, what work lists sort by) is left as it is.
 */
export async function appendStatelessEntry(
  db: { transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> },
  row: InstanceRow,
  entry: { eventType: string; payload: unknown; actor: Actor; at: string; what: string },
  within: (tx: SqlExecutor, seq: number) => Promise<void>,
): Promise<void> {
  const { actor } = entry;
  const seq = Number(row.audit_seq) + 1;
  const record: AuditRecord = {
    instanceId: row.id,
    seq,
    eventType: entry.eventType,
    payload: JSON.stringify(entry.payload),
    actor: actor.id,
    actorRoles: JSON.stringify(actor.roles),
    actorAttributes: actor.attributes && Object.keys(actor.attributes).length ? JSON.stringify(actor.attributes) : null,
    fromState: row.state,
    toState: row.state,
    definitionVersionId: row.definition_version_id,
    effects: JSON.stringify({ effects: [], timers: [] }),
    at: entry.at,
    prevHash: row.audit_head,
    cause: null,
  };
  const hash = auditHash(record);
  await db.transaction(async (tx) => {
    const changed = await tx.run('UPDATE instances SET version = version + 1, audit_seq = $1, audit_head = $2 WHERE id = $3 AND version = $4', [
      seq,
      hash,
      row.id,
      Number(row.version),
    ]);
    if (changed !== 1) {
      throw new AppError(ErrorCode.VersionConflict, `instance ${row.id} changed while ${entry.what}; read it again and retry`);
    }
    await insertAuditEntry(tx, record, hash);
    await within(tx, seq);
  });
}
