/**
 * The engine's write path: starting instances and applying events. Returns domain results
 * (the instance, whether an idempotency key replayed an earlier request); the HTTP layer picks
 * the status codes.
 *
 * Sending an event: the actor was authenticated by the caller → the compiled machine checks
 * the actor's roles, validates the payload and computes the next snapshot (pure) → the plan of
 * the rows the step writes is computed (pure, `transition-plan.ts`) → one transaction:
 * compare-and-set the instance row on its version, append the audit entry chained to the
 * previous one, write the plan, record the idempotency key → commit. Two events racing on one
 * instance both read version v; only one UPDATE ... WHERE version = v matches, the other gets
 * VersionConflict and may retry. Nothing is half-written: any failure rolls back.
 *
 * The same transaction keeps the instance's correlation values (`correlation:`) in their indexed
 * table, so an `emit … where:` finds exactly the cases whose data match.
 *
 * The plan cancels the timers of the states left, arms the deadlines of the states entered,
 * stores the documents rendered by the step, and queues its other effects in the outbox
 * (delivered after commit by the worker's outbox dispatcher).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AppError, ErrorCode } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { IdGenerator } from '../common/ids';
import type { Actor, ProcessMachine, StepResult } from '../compiler/process-machine.contract';
import { contextInvalidText, notYourCaseText, startRefusalText } from '../compiler/refusal-text';
import { auditHash, GENESIS_HASH } from '../audit/audit-chain';
import { insertAuditEntry } from '../audit/audit-entries';
import type { Database, SqlExecutor } from '../persistence/database';
import type { TemplateCatalog } from '../documents/template-catalog';
import type { DomainFunctionRegistry, DomainStore } from './domain-functions';
import type { BusinessCalendar } from '../calendar/business-calendar';
import type { DefinitionRegistry } from './definition-registry';
import { loadInstanceRow, toInstanceView, type InstanceRow } from './instance-rows';
import type { InstanceView } from './instance.types';
import { mayActOn } from './access-policy';
import { heldByOtherText, holderOf, reassignRoles } from './assignment.service';
import { computePayload } from './compute-payload';
import { accepts, missingAcceptance } from '../definitions/definition-acceptance';
import { planTransition, type SuspendedTimer } from './transition-plan';
import { auditRecord, refuseUnstorableKeys, writeCorrelations, writePlanRows } from './transition-rows';

/** The context with the due times resumed deadlines write back (`at: context.<path>`), as a copy. */
function withUpdates(context: Record<string, unknown>, updates: Readonly<Record<string, string>>): Record<string, unknown> {
  if (Object.keys(updates).length === 0) return context;
  const out = structuredClone(context);
  for (const [path, value] of Object.entries(updates)) {
    const keys = path.split('.');
    let at: Record<string, unknown> = out;
    for (const key of keys.slice(0, -1)) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    at[keys[keys.length - 1]] = value;
  }
  return out;
}

/** Event type recorded for the creation of an instance (first audit entry). */
export const START_EVENT = '$start';

/** What sent an event when no person did: linked in the receiving audit entry. */
export type Cause =
  | { readonly kind: 'timer'; readonly timerId: string; readonly deadline: string }
  | {
      readonly kind: 'outbox';
      readonly outboxId: string;
      /** The sending instance, its audit entry, and its process (definition key). */
      readonly instanceId: string;
      readonly seq: number;
      readonly definition?: string;
    }
  | { readonly kind: 'schedule'; readonly definition: string; readonly schedule: string; readonly runAt: string }
  | { readonly kind: 'calendar'; readonly fingerprint: string };

export interface TransitionOptions {
  readonly cause?: Cause;
  /** Set when a due timer fires: the same transaction marks it fired, exactly once. */
  readonly timerId?: string;
  /** For `start` effects: the instance that created this one. */
  readonly parentId?: string;
  /**
   * Domain rows to write in the transition's own transaction (e.g. an imported roster with the
   * event that records the import): committed together with the transition or not at all.
   * Runs after the instance row was compare-and-set, so a conflicting transition writes nothing.
   */
  readonly within?: (tx: SqlExecutor, transition: { readonly instanceId: string; readonly seq: number; readonly step: StepResult }) => Promise<void>;
  /**
   * The process's application service sends the event (in-process, on behalf of `actor`):
   * events declared `via: service` are accepted only with it. No HTTP route sets it.
   */
  readonly viaService?: boolean;
  /**
   * Another process delivers the event or the start (the outbox dispatcher): its definition
   * key. The receiving definition must accept it from that key (`from:` on the event,
   * `start.from`); `roles` and `start.roles` are not consulted. No HTTP route sets it.
   */
  readonly fromProcess?: string;
}

export interface CreateInstanceInput {
  readonly definition: string;
  readonly businessKey: string;
  readonly context?: Record<string, unknown>;
  readonly idempotencyKey?: string;
}

export interface SendEventInput {
  readonly type: string;
  readonly payload?: Record<string, unknown>;
  readonly idempotencyKey?: string;
}

export interface CreateResult {
  readonly instance: InstanceView;
  /** True when the idempotency key matched an earlier, identical request: nothing new was written. */
  readonly replayed: boolean;
}

export interface TransitionServiceDeps {
  readonly db: Database;
  readonly definitions: DefinitionRegistry;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly calendar: BusinessCalendar;
  readonly templates: TemplateCatalog;
  readonly functions: DomainFunctionRegistry;
  /** What `compute:` functions may read. */
  readonly store: DomainStore;
}

/**
 * The idempotency record's `status_code` column is older than the split between engine and
 * HTTP and holds 201 for a creation and 200 for an applied event. The engine writes and reads it
 * as this domain fact only; what the API answers is the HTTP layer's business.
 */
const STORED_OUTCOME = { created: 201, applied: 200 } as const;
type Outcome = keyof typeof STORED_OUTCOME;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class TransitionService {
  constructor(private readonly deps: TransitionServiceDeps) {}

  /** Starts an instance of the newest version of a definition. */
  async create(input: CreateInstanceInput, actor: Actor, options: TransitionOptions = {}): Promise<CreateResult> {
    const { db, definitions } = this.deps;
    refuseUnstorableKeys(input);
    const requestHash = sha256(canonicalize({ op: 'create', ...input, idempotencyKey: undefined }) as string);
    const replay = await this.findReplay(actor, input.idempotencyKey, requestHash);
    if (replay) return { instance: replay, replayed: true };

    const version = await definitions.latest(input.definition);
    const machine = await definitions.machine(version.id);
    const def = machine.definition;
    if (options.fromProcess !== undefined) {
      if (!accepts(def, { kind: 'start' }, options.fromProcess)) {
        throw new AppError(ErrorCode.Forbidden, missingAcceptance(def, { kind: 'start' }, options.fromProcess), { sender: options.fromProcess });
      }
    } else if (!def.startRoles.some((r) => actor.roles.includes(r))) {
      throw new AppError(
        ErrorCode.Forbidden,
        `you may not start '${def.key}': it needs one of the roles ${def.startRoles.join(', ') || '(none declared)'}; you have ${actor.roles.join(', ') || 'none'}`,
        undefined,
        { userMessage: startRefusalText(def) },
      );
    }
    const checked = def.validateContext(input.context ?? {});
    if (checked.errors.length > 0) {
      throw new AppError(
        ErrorCode.ContextInvalid,
        `the context does not match the context schema of '${def.key}'`,
        { errors: checked.errors },
        { userMessage: contextInvalidText({ def, errors: checked.errors }) },
      );
    }
    const clockNow = this.deps.clock.now();
    const now = clockNow.toISOString();
    const step = machine.start(checked.value, actor, now);
    const id = this.deps.ids.uuid();
    const plan = this.plan(machine, id, input.businessKey, null, step, actor, clockNow);
    const record = auditRecord(id, 1, GENESIS_HASH, START_EVENT, input.context ?? {}, actor, null, step, plan, version.id, now, options.cause);
    const hash = auditHash(record);
    const row: InstanceRow = {
      id,
      definition_key: def.key,
      definition_version_id: version.id,
      definition_version: version.version,
      business_key: input.businessKey,
      state: step.state,
      context: JSON.stringify(step.context),
      status: step.done ? 'completed' : 'active',
      version: 1,
      audit_seq: 1,
      audit_head: hash,
      created_by: actor.id,
      created_at: now,
      updated_at: now,
      parent_id: options.parentId ?? null,
    };
    const instance = toInstanceView(row);
    try {
      await db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO instances (id, definition_key, definition_version_id, business_key, state, context, status, version, audit_seq, audit_head, created_by, created_at, updated_at, parent_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            row.id,
            row.definition_key,
            row.definition_version_id,
            row.business_key,
            row.state,
            row.context,
            row.status,
            1,
            1,
            hash,
            actor.id,
            now,
            now,
            row.parent_id,
          ],
        );
        await writeCorrelations(tx, { id, definition: def.key }, def, null, step.context);
        await insertAuditEntry(tx, record, hash);
        await writePlanRows(tx, this.deps.functions, { id, definition: def.key, businessKey: input.businessKey, context: step.context }, 1, plan, clockNow);
        if (options.within) await options.within(tx, { instanceId: id, seq: 1, step });
        await this.saveReplay(tx, actor, input.idempotencyKey, requestHash, 'created', instance, now);
      });
    } catch (err) {
      if (db.isUniqueViolation(err)) {
        const again = await this.findReplay(actor, input.idempotencyKey, requestHash);
        if (again) return { instance: again, replayed: true };
        throw new AppError(ErrorCode.AlreadyExists, `an instance of '${def.key}' with business key '${input.businessKey}' already exists`);
      }
      throw err;
    }
    return { instance, replayed: false };
  }

  /** Applies one event to an instance (see the file header for the steps); returns the instance after it. */
  async send(instanceId: string, input: SendEventInput, actor: Actor, options: TransitionOptions = {}): Promise<InstanceView> {
    const { db, definitions } = this.deps;
    const requestHash = sha256(canonicalize({ op: 'send', instanceId, type: input.type, payload: input.payload ?? {} }) as string);
    const replay = await this.findReplay(actor, input.idempotencyKey, requestHash);
    if (replay) return replay;

    const row = await db.read((q) => loadInstanceRow(q, instanceId));
    if (row.status === 'completed') {
      throw new AppError(ErrorCode.InstanceCompleted, `instance ${instanceId} is completed (state '${row.state}') and accepts no more events`);
    }
    const machine = await definitions.machine(row.definition_version_id);
    const clockNow = this.deps.clock.now();
    const now = clockNow.toISOString();
    const context = JSON.parse(row.context);
    if (!mayActOn(machine.definition, actor, { createdBy: row.created_by, context })) {
      throw new AppError(
        ErrorCode.Forbidden,
        `this '${row.definition_key}' case is not yours: your role acts only on the cases you started or that name you`,
        undefined,
        { userMessage: notYourCaseText(machine.definition) },
      );
    }
    // A step one person claimed is theirs alone (assignment.service.ts); the engine's own events and other processes' are not held back.
    if (actor.id !== 'system' && options.fromProcess === undefined && options.cause === undefined) {
      const held = await db.read((q) => holderOf(q, row.id, row.state));
      if (held && held.assignee !== actor.id) {
        const def = machine.definition;
        const titles = reassignRoles(def, row.state).map((r) => (Object.prototype.hasOwnProperty.call(def.roles, r) ? (def.roles[r].title ?? r) : r));
        throw new AppError(
          ErrorCode.Forbidden,
          `the step '${row.state}' is claimed by '${held.assignee}': only they may send its events (they may transfer it; a supervisor may reassign it)`,
          { assignee: held.assignee },
          { userMessage: heldByOtherText(held.name, titles) },
        );
      }
    }
    const payload = await computePayload({
      machine,
      state: row.state,
      instance: { id: row.id, definition: row.definition_key, businessKey: row.business_key, context },
      type: input.type,
      payload: input.payload ?? {},
      actor,
      now: clockNow,
      functions: this.deps.functions,
      calendar: this.deps.calendar,
      store: this.deps.store,
      ...(options.fromProcess !== undefined ? { sender: options.fromProcess } : {}),
    });
    const step = machine.send(row.state, context, {
      type: input.type,
      payload,
      actor,
      now,
      viaService: options.viaService === true,
      startedBy: row.created_by,
      lastSenders: await this.lastSenders(row.id, machine.acceptedEvents(row.state).find((a) => a.event.type === input.type)?.event.notBy),
      ...(options.fromProcess !== undefined ? { sender: options.fromProcess } : {}),
    });
    const plan = this.plan(machine, row.id, row.business_key, row.state, step, actor, clockNow, await this.suspendedTimers(machine, row.id));
    const finalContext = withUpdates(step.context, plan.contextUpdates);

    const seq = Number(row.audit_seq) + 1;
    const record = auditRecord(row.id, seq, row.audit_head, input.type, payload, actor, row.state, step, plan, row.definition_version_id, now, options.cause);
    const hash = auditHash(record);
    const next: InstanceRow = {
      ...row,
      state: step.state,
      context: JSON.stringify(finalContext),
      status: step.done ? 'completed' : 'active',
      version: Number(row.version) + 1,
      audit_seq: seq,
      audit_head: hash,
      updated_at: now,
    };
    const instance = toInstanceView(next);
    try {
      await db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE instances SET state = $1, context = $2, status = $3, version = version + 1, audit_seq = $4, audit_head = $5, updated_at = $6
           WHERE id = $7 AND version = $8`,
          [next.state, next.context, next.status, seq, hash, now, row.id, Number(row.version)],
        );
        if (changed !== 1) {
          throw new AppError(
            ErrorCode.VersionConflict,
            `instance ${row.id} changed while '${input.type}' was being applied (it was at version ${row.version}); read it again and retry`,
          );
        }
        if (options.timerId) {
          const fired = await tx.run(`UPDATE timers SET status = 'fired', fired_seq = $1, fired_at = $2 WHERE id = $3 AND status = 'pending'`, [
            seq,
            now,
            options.timerId,
          ]);
          if (fired !== 1) throw new AppError(ErrorCode.VersionConflict, `timer ${options.timerId} already fired or was cancelled`);
        }
        // Leaving the step ends its assignment (a step re-entered is claimed afresh).
        if (step.state !== row.state || step.done) await tx.run('DELETE FROM task_assignments WHERE instance_id = $1', [row.id]);
        await writeCorrelations(tx, { id: row.id, definition: row.definition_key }, machine.definition, context, finalContext);
        await insertAuditEntry(tx, record, hash);
        await writePlanRows(
          tx,
          this.deps.functions,
          { id: row.id, definition: row.definition_key, businessKey: row.business_key, context: finalContext },
          seq,
          plan,
          clockNow,
        );
        if (options.within) await options.within(tx, { instanceId: row.id, seq, step });
        await this.saveReplay(tx, actor, input.idempotencyKey, requestHash, 'applied', instance, now);
      });
    } catch (err) {
      if (db.isUniqueViolation(err)) {
        const again = await this.findReplay(actor, input.idempotencyKey, requestHash);
        if (again) return again;
        throw new AppError(ErrorCode.VersionConflict, `instance ${row.id} changed while '${input.type}' was being applied; retry`);
      }
      throw err;
    }
    return instance;
  }

  /** Who last sent each of these events on the instance (`notBy`), from its trail; nothing to read when none is named. */
  private async lastSenders(instanceId: string, events: readonly string[] | undefined): Promise<Record<string, string>> {
    if (!events || events.length === 0) return {};
    const marks = events.map((_, i) => `$${i + 2}`).join(', ');
    const rows = await this.deps.db.read((q) =>
      q.rows<{ event_type: string; actor: string }>(
        `SELECT event_type, actor FROM audit_entries WHERE instance_id = $1 AND event_type IN (${marks}) ORDER BY seq DESC`,
        [instanceId, ...events],
      ),
    );
    const last: Record<string, string> = {};
    for (const r of rows) if (!Object.prototype.hasOwnProperty.call(last, r.event_type)) last[r.event_type] = r.actor;
    return last;
  }

  private plan(
    machine: ProcessMachine,
    instanceId: string,
    businessKey: string,
    fromState: string | null,
    step: StepResult,
    actor: Actor,
    now: Date,
    suspended: readonly SuspendedTimer[] = [],
  ) {
    const { calendar, templates, ids } = this.deps;
    return planTransition({ machine, instanceId, businessKey, fromState, step, actor, now, calendar, templates, ids, suspended });
  }

  /** The instance's suspended timers, read only when its definition has `suspend:` deadlines. */
  private async suspendedTimers(machine: ProcessMachine, instanceId: string): Promise<SuspendedTimer[]> {
    if (!Object.values(machine.definition.states).some((s) => s.deadlines.some((d) => d.suspend))) return [];
    const rows = await this.deps.db.read((q) =>
      q.rows<{ id: string; deadline: string; due_at: string; suspended_at: string; created_at: string }>(
        `SELECT id, deadline, due_at, suspended_at, created_at FROM timers WHERE instance_id = $1 AND status = 'suspended' ORDER BY created_seq`,
        [instanceId],
      ),
    );
    return rows.map((r) => ({ id: r.id, deadline: r.deadline, dueAt: r.due_at, suspendedAt: r.suspended_at, createdAt: r.created_at }));
  }

  /** The instance an identical earlier request with this key produced; refuses a key reused for another request. */
  private async findReplay(actor: Actor, key: string | undefined, requestHash: string): Promise<InstanceView | undefined> {
    if (!key) return undefined;
    const [row] = await this.deps.db.read((q) =>
      q.rows<{ request_hash: string; response: string }>('SELECT request_hash, response FROM idempotency_records WHERE actor = $1 AND idem_key = $2', [
        actor.id,
        key,
      ]),
    );
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      throw new AppError(ErrorCode.IdempotencyKeyReused, `idempotency key '${key}' was already used for a different request; use a new key for a new request`);
    }
    return JSON.parse(row.response) as InstanceView;
  }

  private async saveReplay(tx: SqlExecutor, actor: Actor, key: string | undefined, requestHash: string, outcome: Outcome, instance: InstanceView, now: string) {
    if (!key) return;
    await tx.run('INSERT INTO idempotency_records (actor, idem_key, request_hash, status_code, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      actor.id,
      key,
      requestHash,
      STORED_OUTCOME[outcome],
      JSON.stringify(instance),
      now,
    ]);
  }
}
