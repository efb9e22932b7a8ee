/**
 * Instances and their transitions: the engine's write path.
 *
 * Sending an event: the actor was authenticated by the HTTP layer → the compiled machine
 * checks the actor's roles, validates the payload and computes the next snapshot (pure) →
 * one transaction: compare-and-set the instance row on its version, append the audit entry
 * chained to the previous one, record the idempotency key → commit. Two events racing on
 * one instance both read version v; only one UPDATE ... WHERE version = v matches, the
 * other gets VersionConflict and may retry. Nothing is half-written: any failure rolls back.
 *
 * The same transaction cancels the timers of the states left, arms the deadlines of the
 * states entered, stores the documents rendered by the step, and queues its other effects
 * in the outbox (delivered after commit by the outbox dispatcher).
 */
import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AppError, ErrorCode } from '../common/app-error';
import { Clock } from '../common/clock';
import type { Actor, ProcessMachine, StepResult } from '../compiler/process-machine.contract';
import { auditHash, GENESIS_HASH, type AuditRecord } from '../audit/audit-chain';
import { Database, type SqlExecutor } from '../persistence/database';
import type { TemplateCatalog } from '../documents/template-catalog';
import type { DomainFunctionRegistry, DomainStore } from './domain-functions';
import type { ExpressionScope } from '../definitions/definition.types';
import type { BusinessCalendar } from '../scheduler/business-calendar';
import { DefinitionRegistry } from './definition-registry';
import type { AuditEntryView, AvailableEventView, InstanceView, Page } from './instance.types';
import { planTransition, type TransitionPlan } from './transition-plan';

/** Event type recorded for the creation of an instance (first audit entry). */
export const START_EVENT = '$start';
/** Platform roles that may read every instance. */
const READ_ALL_ROLES = ['admin', 'auditor', 'process_owner'];

interface InstanceRow {
  id: string;
  definition_key: string;
  definition_version_id: string;
  definition_version: number | string;
  business_key: string;
  state: string;
  context: string;
  status: 'active' | 'completed';
  version: number | string;
  audit_seq: number | string;
  audit_head: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  parent_id: string | null;
}

/** What sent an event when no person did: linked in the receiving audit entry. */
export type Cause =
  | { readonly kind: 'timer'; readonly timerId: string; readonly deadline: string }
  | { readonly kind: 'outbox'; readonly outboxId: string; readonly instanceId: string; readonly seq: number }
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
}

const INSTANCE_SELECT = `SELECT i.*, d.version AS definition_version FROM instances i JOIN definition_versions d ON d.id = i.definition_version_id`;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function toView(row: InstanceRow): InstanceView {
  return {
    id: row.id,
    definition: row.definition_key,
    definitionVersion: Number(row.definition_version),
    definitionVersionId: row.definition_version_id,
    businessKey: row.business_key,
    state: row.state,
    status: row.status,
    context: JSON.parse(row.context),
    version: Number(row.version),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    parentId: row.parent_id ?? null,
  };
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

export interface InstanceFilter {
  readonly definition?: string;
  readonly state?: string;
  readonly businessKey?: string;
  readonly status?: string;
  readonly offset?: number;
  readonly limit?: number;
}

/** A stored result for an idempotency key: replayed as-is when the same request comes again. */
interface Replay {
  readonly statusCode: number;
  readonly body: InstanceView;
}

export class InstanceService {
  constructor(
    private readonly db: Database,
    private readonly registry: DefinitionRegistry,
    private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
    private readonly templates: TemplateCatalog,
    private readonly functions: DomainFunctionRegistry,
    private readonly store: DomainStore,
  ) {}

  /** Starts an instance of the newest version of a definition. */
  async create(input: CreateInstanceInput, actor: Actor, options: TransitionOptions = {}): Promise<Replay> {
    const requestHash = sha256(canonicalize({ op: 'create', ...input, idempotencyKey: undefined }) as string);
    const replay = await this.findReplay(actor, input.idempotencyKey, requestHash);
    if (replay) return replay;

    const version = await this.registry.latest(input.definition);
    const machine = await this.registry.machine(version.id);
    const def = machine.definition;
    if (!def.startRoles.some((r) => actor.roles.includes(r))) {
      throw new AppError(ErrorCode.Forbidden,
        `you may not start '${def.key}': it needs one of the roles ${def.startRoles.join(', ') || '(none declared)'}; you have ${actor.roles.join(', ') || 'none'}`);
    }
    const checked = def.validateContext(input.context ?? {});
    if (checked.errors.length > 0) {
      throw new AppError(ErrorCode.ContextInvalid, `the context does not match the context schema of '${def.key}'`, { errors: checked.errors });
    }
    const clockNow = this.clock.now();
    const now = clockNow.toISOString();
    const step = machine.start(checked.value, actor, now);
    const id = randomUUID();
    const plan = this.plan(machine, id, input.businessKey, null, step, actor, clockNow);
    const record = this.auditRecord(id, 1, GENESIS_HASH, START_EVENT, input.context ?? {}, actor, null, step, plan, version.id, now, options.cause);
    const hash = auditHash(record);
    const row: InstanceRow = {
      id, definition_key: def.key, definition_version_id: version.id, definition_version: version.version,
      business_key: input.businessKey, state: step.state, context: JSON.stringify(step.context),
      status: step.done ? 'completed' : 'active', version: 1, audit_seq: 1, audit_head: hash,
      created_by: actor.id, created_at: now, updated_at: now, parent_id: options.parentId ?? null,
    };
    const result: Replay = { statusCode: 201, body: toView(row) };
    try {
      await this.db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO instances (id, definition_key, definition_version_id, business_key, state, context, status, version, audit_seq, audit_head, created_by, created_at, updated_at, parent_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [row.id, row.definition_key, row.definition_version_id, row.business_key, row.state, row.context, row.status,
            1, 1, hash, actor.id, now, now, row.parent_id]);
        await this.insertAudit(tx, record, hash);
        await this.writePlan(tx, { id, definition: def.key, businessKey: input.businessKey, context: step.context }, 1, plan, clockNow);
        if (options.within) await options.within(tx, { instanceId: id, seq: 1, step });
        await this.saveReplay(tx, actor, input.idempotencyKey, requestHash, result, now);
      });
    } catch (err) {
      if (this.db.isUniqueViolation(err)) {
        const again = await this.findReplay(actor, input.idempotencyKey, requestHash);
        if (again) return again;
        throw new AppError(ErrorCode.AlreadyExists,
          `an instance of '${def.key}' with business key '${input.businessKey}' already exists`);
      }
      throw err;
    }
    return result;
  }

  /** Applies one event to an instance (see the file header for the steps). */
  async send(instanceId: string, input: SendEventInput, actor: Actor, options: TransitionOptions = {}): Promise<Replay> {
    const requestHash = sha256(canonicalize({ op: 'send', instanceId, type: input.type, payload: input.payload ?? {} }) as string);
    const replay = await this.findReplay(actor, input.idempotencyKey, requestHash);
    if (replay) return replay;

    const row = await this.loadRow(instanceId);
    if (row.status === 'completed') {
      throw new AppError(ErrorCode.InstanceCompleted, `instance ${instanceId} is completed (state '${row.state}') and accepts no more events`);
    }
    const machine = await this.registry.machine(row.definition_version_id);
    const clockNow = this.clock.now();
    const now = clockNow.toISOString();
    const context = JSON.parse(row.context);
    const payload = await this.computePayload(machine, row, context, input.type, input.payload ?? {}, actor, clockNow);
    const step = machine.send(row.state, context, { type: input.type, payload, actor, now, viaService: options.viaService === true });
    const plan = this.plan(machine, row.id, row.business_key, row.state, step, actor, clockNow);

    const seq = Number(row.audit_seq) + 1;
    const record = this.auditRecord(row.id, seq, row.audit_head, input.type, payload, actor, row.state, step, plan, row.definition_version_id, now, options.cause);
    const hash = auditHash(record);
    const next: InstanceRow = {
      ...row, state: step.state, context: JSON.stringify(step.context), status: step.done ? 'completed' : 'active',
      version: Number(row.version) + 1, audit_seq: seq, audit_head: hash, updated_at: now,
    };
    const result: Replay = { statusCode: 200, body: toView(next) };
    try {
      await this.db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE instances SET state = $1, context = $2, status = $3, version = version + 1, audit_seq = $4, audit_head = $5, updated_at = $6
           WHERE id = $7 AND version = $8`,
          [next.state, next.context, next.status, seq, hash, now, row.id, Number(row.version)]);
        if (changed !== 1) {
          throw new AppError(ErrorCode.VersionConflict,
            `instance ${row.id} changed while '${input.type}' was being applied (it was at version ${row.version}); read it again and retry`);
        }
        if (options.timerId) {
          const fired = await tx.run(
            `UPDATE timers SET status = 'fired', fired_seq = $1, fired_at = $2 WHERE id = $3 AND status = 'pending'`,
            [seq, now, options.timerId]);
          if (fired !== 1) throw new AppError(ErrorCode.VersionConflict, `timer ${options.timerId} already fired or was cancelled`);
        }
        await this.insertAudit(tx, record, hash);
        await this.writePlan(tx, { id: row.id, definition: row.definition_key, businessKey: row.business_key, context: step.context }, seq, plan, clockNow);
        if (options.within) await options.within(tx, { instanceId: row.id, seq, step });
        await this.saveReplay(tx, actor, input.idempotencyKey, requestHash, result, now);
      });
    } catch (err) {
      if (this.db.isUniqueViolation(err)) {
        const again = await this.findReplay(actor, input.idempotencyKey, requestHash);
        if (again) return again;
        throw new AppError(ErrorCode.VersionConflict, `instance ${row.id} changed while '${input.type}' was being applied; retry`);
      }
      throw err;
    }
    return result;
  }

  async get(instanceId: string, actor: Actor): Promise<InstanceView> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    return toView(row);
  }

  /**
   * Refuses (NotFound, Forbidden) unless the definition exists and the actor may read its
   * instances — the check `get` applies to each one — for views over many instances of one
   * process (e.g. the complaint working view).
   */
  async assertMayReadDefinition(definition: string, actor: Actor): Promise<void> {
    await this.registry.latest(definition);
    if (actor.roles.some((r) => READ_ALL_ROLES.includes(r))) return;
    if (!(await this.readableDefinitions(actor)).includes(definition)) {
      throw new AppError(ErrorCode.Forbidden, `you have no role in '${definition}', so you may not read its instances`);
    }
  }

  /** Instances, newest first, filtered; only those of definitions the actor has a role in. */
  async list(filter: InstanceFilter, actor: Actor): Promise<Page<InstanceView>> {
    const offset = Math.max(0, filter.offset ?? 0);
    const limit = Math.min(200, Math.max(1, filter.limit ?? 50));
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => { params.push(value); where.push(clause.replace('?', `$${params.length}`)); };
    if (filter.definition) add('i.definition_key = ?', filter.definition);
    if (filter.state) add('i.state = ?', filter.state);
    if (filter.businessKey) add('i.business_key = ?', filter.businessKey);
    if (filter.status) add('i.status = ?', filter.status);
    if (!actor.roles.some((r) => READ_ALL_ROLES.includes(r))) {
      const readable = await this.readableDefinitions(actor);
      if (readable.length === 0) return { items: [], total: 0, offset, limit };
      where.push(`i.definition_key IN (${readable.map((k) => { params.push(k); return `$${params.length}`; }).join(', ')})`);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    return this.db.read(async (q) => {
      const [{ n }] = await q.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM instances i${clause}`, params);
      const rows = await q.rows<InstanceRow>(
        `${INSTANCE_SELECT}${clause} ORDER BY i.created_at DESC, i.id LIMIT ${limit} OFFSET ${offset}`, params);
      return { items: rows.map(toView), total: Number(n), offset, limit };
    });
  }

  async audit(instanceId: string, actor: Actor): Promise<AuditEntryView[]> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    const rows = await this.db.read((q) =>
      q.rows<AuditRecord & { hash: string }>(`${AUDIT_SELECT} WHERE instance_id = $1 ORDER BY seq`, [instanceId]));
    return rows.map(toAuditView);
  }

  /** Events this actor may send now, each with its payload schema (not those only a process's service sends: `via: service`). */
  async availableEvents(instanceId: string, actor: Actor): Promise<AvailableEventView[]> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    if (row.status === 'completed') return [];
    const machine = await this.registry.machine(row.definition_version_id);
    return machine.acceptedEvents(row.state)
      .filter(({ event }) => event.via !== 'service' && event.roles.some((r) => actor.roles.includes(r)))
      .map(({ state, event }) => ({
        type: event.type, title: event.title, state, roles: event.roles, payloadSchema: event.payloadSchema,
      }));
  }

  /**
   * Runs the event's `compute:` domain functions (when the actor may send it at all) and puts
   * each result into the payload, overwriting whatever the sender put under that name.
   */
  private async computePayload(
    machine: ProcessMachine, row: InstanceRow, context: Record<string, unknown>, type: string,
    payload: Record<string, unknown>, actor: Actor, now: Date,
  ): Promise<Record<string, unknown>> {
    const accepted = machine.acceptedEvents(row.state).find((a) => a.event.type === type)?.event;
    if (!accepted || accepted.compute.length === 0 || !accepted.roles.some((r) => actor.roles.includes(r))) return payload;
    const scope: ExpressionScope = { context, payload, rules: machine.definition.ruleValues, actor, now: now.toISOString() };
    const out = { ...payload };
    for (const c of accepted.compute) {
      const fn = this.functions.get(c.function);
      if (!fn) throw new AppError(ErrorCode.ExpressionFailed, `'${type}' computes '${c.field}' with '${c.function}', which this engine does not have`);
      const args = Object.fromEntries(Object.entries(c.args).map(([k, v]) => [k, v.kind === 'literal' ? v.value : v.expression.evaluate(scope)]));
      const result = await fn({
        instance: { id: row.id, definition: row.definition_key, businessKey: row.business_key, context },
        args, now, calendar: this.calendar, store: this.store,
      });
      out[c.field] = JSON.parse(JSON.stringify(result ?? null));
    }
    return out;
  }

  /**
   * The caller's work list: active instances whose current state accepts an event one of the
   * caller's roles may send as a plain event (the engine's own `system` events and those only a
   * process's service sends, `via: service`, aside), oldest first — for
   * approvers, the requests awaiting their decision, with the data the decision would change.
   */
  async tasks(actor: Actor, filter: { definition?: string } = {}): Promise<{
    instance: InstanceView; title: string; stateTitle: string; events: { type: string; title?: string }[];
  }[]> {
    const rows = await this.db.read((q) => filter.definition
      ? q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.status = 'active' AND i.definition_key = $1 ORDER BY i.updated_at, i.id`, [filter.definition])
      : q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.status = 'active' ORDER BY i.updated_at, i.id`));
    const out = [];
    for (const row of rows) {
      const machine = await this.registry.machine(row.definition_version_id);
      const events = machine.acceptedEvents(row.state)
        .filter(({ event }) => event.via !== 'service' && event.roles.some((r) => r !== 'system' && actor.roles.includes(r)))
        .map(({ event }) => ({ type: event.type, ...(event.title ? { title: event.title } : {}) }));
      if (events.length === 0) continue;
      const def = machine.definition;
      out.push({ instance: toView(row), title: def.title, stateTitle: def.states[row.state]?.title ?? row.state, events });
    }
    return out;
  }

  /**
   * Instances linked to this one: its parent, its children, and every instance whose events
   * reached it (audit entries caused by another instance's outbox message) or that it reached,
   * each with its full audit trail — e.g. every exclusion and pause request that touched a round.
   */
  async related(instanceId: string, actor: Actor): Promise<{ relation: string; instance: InstanceView; trail: AuditEntryView[] }[]> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    const links = await this.db.read(async (q) => {
      const children = await q.rows<{ id: string }>('SELECT id FROM instances WHERE parent_id = $1 ORDER BY created_at, id', [instanceId]);
      const causes = await q.rows<{ cause: string }>(`SELECT cause FROM audit_entries WHERE instance_id = $1 AND cause IS NOT NULL`, [instanceId]);
      const reached = await q.rows<{ instance_id: string; cause: string }>(
        `SELECT instance_id, cause FROM audit_entries WHERE cause LIKE $1`, [`%"instanceId":"${instanceId}"%`]);
      return { children, causes, reached };
    });
    const relation = new Map<string, string>();
    if (row.parent_id) relation.set(row.parent_id, 'parent');
    for (const c of links.children) relation.set(c.id, 'child');
    for (const c of links.causes) {
      const cause = JSON.parse(c.cause) as { kind: string; instanceId?: string };
      if (cause.kind === 'outbox' && cause.instanceId && !relation.has(cause.instanceId)) relation.set(cause.instanceId, 'sent events to it');
    }
    for (const r of links.reached) {
      const cause = JSON.parse(r.cause) as { kind: string; instanceId?: string };
      if (cause.instanceId === instanceId && r.instance_id !== instanceId && !relation.has(r.instance_id)) relation.set(r.instance_id, 'received events from it');
    }
    const out = [];
    for (const [id, kind] of relation) {
      const other = await this.loadRow(id);
      out.push({ relation: kind, instance: toView(other), trail: await this.audit(id, { ...actor, roles: [...actor.roles] }).catch(() => []) });
    }
    return out;
  }

  /** Refuses unless the actor holds a role of the instance's process (not only a reading role) and it is active. */
  async assertParticipant(instanceId: string, actor: Actor): Promise<void> {
    const row = await this.loadRow(instanceId);
    const machine = await this.registry.machine(row.definition_version_id);
    if (!actor.roles.some((r) => r !== 'system' && r in machine.definition.roles)) {
      throw new AppError(ErrorCode.Forbidden, `only people with a role in '${row.definition_key}' may add files to its instances`);
    }
    if (row.status === 'completed') throw new AppError(ErrorCode.InstanceCompleted, `instance ${instanceId} is completed; files can no longer be added`);
  }

  private async loadRow(instanceId: string): Promise<InstanceRow> {
    const [row] = await this.db.read((q) => q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.id = $1`, [instanceId]));
    if (!row) throw new AppError(ErrorCode.NotFound, `no instance '${instanceId}'`);
    return row;
  }

  private async assertMayRead(row: InstanceRow, actor: Actor): Promise<void> {
    if (actor.roles.some((r) => READ_ALL_ROLES.includes(r))) return;
    const machine = await this.registry.machine(row.definition_version_id);
    if (!actor.roles.some((r) => r in machine.definition.roles)) {
      throw new AppError(ErrorCode.Forbidden, `you have no role in '${row.definition_key}', so you may not read its instances`);
    }
  }

  /** Keys of definitions (any version) that declare one of the actor's roles. */
  private async readableDefinitions(actor: Actor): Promise<string[]> {
    const versions = await this.db.read((q) => q.rows<{ id: string; key: string }>('SELECT id, key FROM definition_versions'));
    const keys = new Set<string>();
    for (const v of versions) {
      if (keys.has(v.key)) continue;
      const machine = await this.registry.machine(v.id);
      if (actor.roles.some((r) => r in machine.definition.roles)) keys.add(v.key);
    }
    return [...keys];
  }

  private auditRecord(
    instanceId: string, seq: number, prevHash: string, eventType: string, payload: unknown, actor: Actor,
    fromState: string | null, step: StepResult, plan: TransitionPlan, definitionVersionId: string, at: string, cause?: Cause,
  ): AuditRecord {
    return {
      instanceId, seq, eventType, payload: JSON.stringify(payload), actor: actor.id, actorRoles: JSON.stringify(actor.roles),
      actorAttributes: actor.attributes && Object.keys(actor.attributes).length ? JSON.stringify(actor.attributes) : null,
      fromState, toState: step.state, definitionVersionId, at, prevHash, cause: cause ? JSON.stringify(cause) : null,
      effects: JSON.stringify({
        effects: plan.effects,
        timers: plan.timers.map((t) => ({ id: t.id, deadline: t.deadline, event: t.eventType, dueAt: t.dueAt, ...(t.provisional ? { provisional: true } : {}) })),
        ...(plan.cancelAll || plan.cancelStates.length ? { cancelledTimersOf: plan.cancelAll ? '*' : plan.cancelStates } : {}),
      }),
    };
  }

  private plan(machine: ProcessMachine, instanceId: string, businessKey: string, fromState: string | null, step: StepResult, actor: Actor, now: Date) {
    return planTransition({ machine, instanceId, businessKey, fromState, step, actor, now, calendar: this.calendar, templates: this.templates });
  }

  /** Timers cancelled and armed, documents and outbox messages: in the transition's transaction. */
  private async writePlan(
    tx: SqlExecutor, instance: { id: string; definition: string; businessKey: string; context: Record<string, unknown> },
    seq: number, plan: TransitionPlan, clockNow: Date,
  ): Promise<void> {
    const instanceId = instance.id;
    const now = clockNow.toISOString();
    if (plan.cancelAll) {
      await tx.run(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending'`, [instanceId]);
    } else if (plan.cancelStates.length > 0) {
      const marks = plan.cancelStates.map((_, i) => `$${i + 2}`).join(', ');
      await tx.run(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending' AND state IN (${marks})`,
        [instanceId, ...plan.cancelStates]);
    }
    for (const t of plan.timers) {
      await tx.run(
        `INSERT INTO timers (id, instance_id, state, deadline, event_type, payload, due_at, status, created_seq, created_at, provisional, basis)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11)`,
        [t.id, instanceId, t.state, t.deadline, t.eventType, JSON.stringify(t.payload), t.dueAt, seq, now, t.provisional ? 1 : 0,
          t.basis ? JSON.stringify(t.basis) : null]);
    }
    for (const d of plan.documents) {
      await tx.run(
        `INSERT INTO documents (id, instance_id, audit_seq, template, template_hash, title, html, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.id, instanceId, seq, d.template, d.templateHash, d.title, d.html, now]);
    }
    for (const o of plan.outbox) {
      await tx.run(
        `INSERT INTO outbox (id, instance_id, audit_seq, kind, params, document_id, status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)`,
        [o.id, instanceId, seq, o.kind, JSON.stringify(o.params), o.documentId, now, now]);
    }
    for (const a of plan.applies) {
      const writer = this.functions.writer(a.function);
      if (!writer) throw new AppError(ErrorCode.ExpressionFailed, `'apply' names the domain writer '${a.function}', which this engine does not have`);
      await writer({ tx, instance, args: a.args, seq, now: clockNow });
    }
  }

  private insertAudit(tx: SqlExecutor, r: AuditRecord, hash: string): Promise<void> {
    return insertAuditEntry(tx, r, hash);
  }

  private async findReplay(actor: Actor, key: string | undefined, requestHash: string): Promise<Replay | undefined> {
    if (!key) return undefined;
    const [row] = await this.db.read((q) => q.rows<{ request_hash: string; status_code: number | string; response: string }>(
      'SELECT request_hash, status_code, response FROM idempotency_records WHERE actor = $1 AND idem_key = $2', [actor.id, key]));
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      throw new AppError(ErrorCode.IdempotencyKeyReused,
        `idempotency key '${key}' was already used for a different request; use a new key for a new request`);
    }
    return { statusCode: Number(row.status_code), body: JSON.parse(row.response) };
  }

  private async saveReplay(tx: SqlExecutor, actor: Actor, key: string | undefined, requestHash: string, result: Replay, now: string) {
    if (!key) return;
    await tx.run(
      'INSERT INTO idempotency_records (actor, idem_key, request_hash, status_code, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [actor.id, key, requestHash, result.statusCode, JSON.stringify(result.body), now]);
  }
}

/** Appends one audit entry (its hash computed by the caller with `auditHash`). */
export async function insertAuditEntry(tx: SqlExecutor, r: AuditRecord, hash: string): Promise<void> {
  await tx.run(
    `INSERT INTO audit_entries (instance_id, seq, event_type, payload, actor, actor_roles, actor_attributes, from_state, to_state, definition_version_id, effects, at, prev_hash, hash, cause)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [r.instanceId, r.seq, r.eventType, r.payload, r.actor, r.actorRoles, r.actorAttributes ?? null, r.fromState, r.toState, r.definitionVersionId,
      r.effects, r.at, r.prevHash, hash, r.cause]);
}

export const AUDIT_SELECT = `SELECT instance_id AS "instanceId", seq, event_type AS "eventType", payload, actor, actor_roles AS "actorRoles",
  actor_attributes AS "actorAttributes",
  from_state AS "fromState", to_state AS "toState", definition_version_id AS "definitionVersionId", effects, at,
  prev_hash AS "prevHash", hash, cause FROM audit_entries`;

export function toAuditView(r: AuditRecord & { hash: string }): AuditEntryView {
  return {
    instanceId: r.instanceId, seq: Number(r.seq), eventType: r.eventType, payload: JSON.parse(r.payload), actor: r.actor,
    actorRoles: JSON.parse(r.actorRoles), ...(r.actorAttributes ? { actorAttributes: JSON.parse(r.actorAttributes) } : {}), fromState: r.fromState, toState: r.toState, definitionVersionId: r.definitionVersionId,
    effects: JSON.parse(r.effects), at: r.at, prevHash: r.prevHash, hash: r.hash, cause: r.cause ? JSON.parse(r.cause) : null,
  };
}
