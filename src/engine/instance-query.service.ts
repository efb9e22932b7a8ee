/**
 * The engine's query side: instances, their audit trails, the events an actor may send now,
 * work lists and linked instances. Reads only; every read on behalf of a person checks that the
 * person may read the instance (`assertMayRead`). The lookups at the end are for the engine's
 * own parts and the process services, which decide access themselves.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { AuditRecord } from '../audit/audit-chain';
import { AUDIT_SELECT } from '../audit/audit-entries';
import { correlationHash, correlationText } from '../definitions/definition-correlation';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { Database } from '../persistence/database';
import { readableClause, type AccessPolicy, type CaseRef } from './access-policy';
import type { DefinitionRegistry } from './definition-registry';
import { INSTANCE_SELECT, loadInstanceRow, toAuditView, toInstanceView, type InstanceRow } from './instance-rows';
import type { AuditEntryView, AvailableEventView, InstanceView, Page } from './instance.types';
import { maskAuditEntry, maskInstance, personalValues, type PersonalMask } from './personal-data';

export interface InstanceFilter {
  readonly definition?: string;
  readonly state?: string;
  readonly businessKey?: string;
  readonly status?: string;
  /** Only the cases this user started (the 工作台's 我发起的). */
  readonly createdBy?: string;
  /** Only the cases this user sent an event to (starting one does not count) (the 工作台's 已办). */
  readonly actedBy?: string;
  /** Only the cases created at or after this instant (ISO 8601, UTC). */
  readonly createdFrom?: string;
  /** Only the cases created before this instant (ISO 8601, UTC). */
  readonly createdBefore?: string;
  readonly offset?: number;
  readonly limit?: number;
}

export interface TaskView {
  readonly instance: InstanceView;
  readonly title: string;
  readonly stateTitle: string;
  readonly events: { type: string; title?: string }[];
  /** Who holds the step (claimed, transferred or reassigned: `assignment.service.ts`); absent while unclaimed. */
  readonly assignee?: { readonly username: string; readonly name: string };
}

export interface RelatedInstanceView {
  readonly relation: string;
  readonly instance: InstanceView;
  readonly trail: AuditEntryView[];
}

/** One step of an instance, as people name it (see `stepOf`). */
export interface StepSummary {
  /** The process (definition key) and its title. */
  readonly definition: string;
  readonly definitionTitle: string;
  readonly businessKey: string;
  readonly eventTitle: string;
  /** The roles the sender held when taking the step. */
  readonly roles: readonly string[];
}

export class InstanceQueryService {
  constructor(
    private readonly db: Database,
    private readonly registry: DefinitionRegistry,
    private readonly access: AccessPolicy,
  ) {}

  async get(instanceId: string, actor: Actor): Promise<InstanceView> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    return this.view(row, actor);
  }

  /**
   * Refuses (NotFound, Forbidden) unless the definition exists and the actor may read its
   * instances — the check `get` applies to each one — for views over many instances of one
   * process (e.g. the complaint working view).
   */
  async assertMayReadDefinition(definition: string, actor: Actor): Promise<void> {
    await this.registry.latest(definition);
    await this.access.requireReadDefinition(actor, definition);
  }

  /** Instances, newest first, filtered; only those the actor may read (the access policy). */
  async list(filter: InstanceFilter, actor: Actor): Promise<Page<InstanceView>> {
    const offset = Math.max(0, filter.offset ?? 0);
    const limit = Math.min(200, Math.max(1, filter.limit ?? 50));
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.definition) add('i.definition_key = ?', filter.definition);
    if (filter.state) add('i.state = ?', filter.state);
    if (filter.businessKey) add('i.business_key = ?', filter.businessKey);
    if (filter.status) add('i.status = ?', filter.status);
    if (filter.createdBy) add('i.created_by = ?', filter.createdBy);
    // created_at is stored as ISO 8601 UTC text of one length, so text order is time order on both databases.
    if (filter.createdFrom) add('i.created_at >= ?', filter.createdFrom);
    if (filter.createdBefore) add('i.created_at < ?', filter.createdBefore);
    // A step taken, not a claim or hand-over of one (`$claim`, `$release`, `$transfer`, `$reassign`) nor a reminder (`$remind`).
    if (filter.actedBy)
      add(
        `i.id IN (SELECT a.instance_id FROM audit_entries a WHERE a.actor = ? AND a.from_state IS NOT NULL AND a.event_type NOT IN ('$claim', '$release', '$transfer', '$reassign', '$remind'))`,
        filter.actedBy,
      );
    const readable = await this.access.readableVersions(actor);
    if (readable !== 'all') {
      // Version by version and row by row, as the single read decides: a list never shows what `get` refuses.
      const readableWhere = readableClause(readable, actor, this.db.kind, params.length + 1);
      if (!readableWhere) return { items: [], total: 0, offset, limit };
      params.push(...readableWhere.params);
      where.push(readableWhere.sql);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    return this.db
      .read(async (q) => {
        const [{ n }] = await q.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM instances i${clause}`, params);
        const rows = await q.rows<InstanceRow>(`${INSTANCE_SELECT}${clause} ORDER BY i.created_at DESC, i.id LIMIT ${limit} OFFSET ${offset}`, params);
        return { items: rows, total: Number(n), offset, limit };
      })
      .then(async (page) => ({ ...page, items: await Promise.all(page.items.map((r) => this.view(r, actor))) }));
  }

  async audit(instanceId: string, actor: Actor): Promise<AuditEntryView[]> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    return this.trailOf(row, actor);
  }

  /** Events this actor may send now, each with its payload schema. */
  async availableEvents(instanceId: string, actor: Actor): Promise<AvailableEventView[]> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    if (row.status === 'completed') return [];
    const machine = await this.registry.machine(row.definition_version_id);
    return machine
      .acceptedEvents(row.state)
      .filter(({ event }) => event.via !== 'service' && event.roles.some((r) => actor.roles.includes(r)))
      .map(({ state, event }) => ({
        type: event.type,
        title: event.title,
        state,
        roles: event.roles,
        payloadSchema: event.payloadSchema,
      }));
  }

  /**
   * The caller's work list: active instances whose current state accepts an event one of the
   * caller's roles may send (the engine's own `system` events aside), oldest first — for
   * approvers, the requests awaiting their decision, with the data the decision would change.
   */
  async tasks(actor: Actor, filter: { definition?: string } = {}): Promise<TaskView[]> {
    const rows = await this.db.read((q) =>
      filter.definition
        ? q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.status = 'active' AND i.definition_key = $1 ORDER BY i.updated_at, i.id`, [filter.definition])
        : q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.status = 'active' ORDER BY i.updated_at, i.id`),
    );
    const held = new Map(
      (
        await this.db.read((q) =>
          q.rows<{ instance_id: string; state: string; assignee: string; display_name: string | null }>(
            `SELECT a.instance_id, a.state, a.assignee, u.display_name FROM task_assignments a
             JOIN instances i ON i.id = a.instance_id AND i.state = a.state AND i.status = 'active'
             LEFT JOIN users u ON u.username = a.assignee`,
          ),
        )
      ).map((r) => [r.instance_id, { username: r.assignee, name: r.display_name ?? r.assignee }]),
    );
    const out: TaskView[] = [];
    for (const row of rows) {
      if (!(await this.access.mayRead(actor, refOf(row)))) continue;
      const machine = await this.registry.machine(row.definition_version_id);
      const events = machine
        .acceptedEvents(row.state)
        .filter(({ event }) => event.via !== 'service' && event.roles.some((r) => r !== 'system' && actor.roles.includes(r)))
        .map(({ event }) => ({ type: event.type, ...(event.title ? { title: event.title } : {}) }));
      if (events.length === 0) continue;
      const def = machine.definition;
      const assignee = held.get(row.id);
      out.push({
        instance: await this.view(row, actor),
        title: def.title,
        stateTitle: def.states[row.state]?.title ?? row.state,
        events,
        ...(assignee ? { assignee } : {}),
      });
    }
    return out;
  }

  /**
   * Instances linked to this one: its parent, its children, every instance whose events
   * reached it (audit entries caused by another instance's outbox message) or that it reached,
   * and every instance a step of which wrote domain data about it (an `apply:` writer given its
   * id, in that step's own transaction), each with its full audit trail — e.g. every exclusion and pause request that touched a round.
   */
  async related(instanceId: string, actor: Actor): Promise<RelatedInstanceView[]> {
    const row = await this.loadRow(instanceId);
    await this.assertMayRead(row, actor);
    const links = await this.db.read(async (q) => {
      const children = await q.rows<{ id: string }>('SELECT id FROM instances WHERE parent_id = $1 ORDER BY created_at, id', [instanceId]);
      const causes = await q.rows<{ cause: string }>(`SELECT cause FROM audit_entries WHERE instance_id = $1 AND cause IS NOT NULL`, [instanceId]);
      const reached = await q.rows<{ instance_id: string; cause: string }>(`SELECT instance_id, cause FROM audit_entries WHERE cause LIKE $1`, [
        `%"instanceId":"${instanceId}"%`,
      ]);
      // A step whose `apply:` writer was handed this case's id (e.g. an approved exclusion written into a round).
      const applied = await q.rows<{ instance_id: string; effects: string }>(
        `SELECT instance_id, effects FROM audit_entries WHERE instance_id <> $1 AND effects LIKE $2`,
        [instanceId, `%"${instanceId}"%`],
      );
      return { children, causes, reached, applied };
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
      if (cause.instanceId === instanceId && r.instance_id !== instanceId && !relation.has(r.instance_id))
        relation.set(r.instance_id, 'received events from it');
    }
    for (const a of links.applied) {
      if (!relation.has(a.instance_id) && appliesTo(a.effects, instanceId)) relation.set(a.instance_id, 'applied its decision to it');
    }
    const out: RelatedInstanceView[] = [];
    for (const [id, kind] of relation) {
      const other = await this.loadRow(id);
      // Linked cases the reader may not read are left out, not shown without their trail.
      if (!(await this.access.mayRead(actor, refOf(other)))) continue;
      out.push({ relation: kind, instance: await this.view(other, actor), trail: await this.trailOf(other, actor) });
    }
    return out;
  }

  /** An instance the write path returned, as this actor may see it (personal fields masked); for the answer to a sent event. */
  async asSeenBy(instance: InstanceView, actor: Actor): Promise<InstanceView> {
    const row = await this.loadRow(instance.id);
    const mask = (await this.access.maskedFor(actor, refOf(row))) ? await this.maskOf(row, actor, await this.storedTrail(row)) : undefined;
    return mask ? maskInstance(instance, mask) : instance;
  }

  /**
   * The personal fields the actor sees masked in this instance (undefined: none), for process
   * services that build their own views of a case (e.g. the complaint time line).
   */
  async personalMaskFor(instanceId: string, actor: Actor): Promise<PersonalMask | undefined> {
    const row = await this.loadRow(instanceId);
    return this.maskOf(row, actor, await this.storedTrail(row));
  }

  /** Refuses unless the actor holds a role of the instance's process (not only a reading role) and it is active. */
  async assertParticipant(instanceId: string, actor: Actor): Promise<void> {
    const row = await this.loadRow(instanceId);
    if (!(await this.access.mayParticipate(actor, refOf(row)))) {
      throw new AppError(ErrorCode.Forbidden, `only people with a role in '${row.definition_key}' may add files to its instances`);
    }
    if (row.status === 'completed') throw new AppError(ErrorCode.InstanceCompleted, `instance ${instanceId} is completed; files can no longer be added`);
  }

  // Lookups without an access check: for the engine's own parts (worker) and process services.

  /** One instance, whoever asks; NotFound when there is none. */
  async byId(instanceId: string): Promise<InstanceView> {
    return toInstanceView(await this.loadRow(instanceId));
  }

  /**
   * One step of an instance, for people: the process's title, the case's business key, the
   * title of the event and the roles its sender held. The outbox dispatcher uses it to tell
   * them when an effect of that step could not be carried out after the step was answered.
   */
  async stepOf(instanceId: string, seq: number): Promise<StepSummary> {
    const row = await this.loadRow(instanceId);
    const [entry] = await this.db.read((q) =>
      q.rows<{ event_type: string; from_state: string | null; actor_roles: string }>(
        'SELECT event_type, from_state, actor_roles FROM audit_entries WHERE instance_id = $1 AND seq = $2',
        [instanceId, seq],
      ),
    );
    const def = (await this.registry.machine(row.definition_version_id)).definition;
    const type = entry?.event_type ?? '';
    const declared = entry?.from_state ? eventTitleIn(def, type, entry.from_state) : undefined;
    return {
      definition: row.definition_key,
      definitionTitle: def.title,
      businessKey: row.business_key,
      eventTitle: declared ?? (type === '$start' ? '新建' : type),
      roles: entry ? (JSON.parse(entry.actor_roles) as string[]) : [],
    };
  }

  /** The title of a process and of one of its events (the newest version), for a message to people; the keys when it has none. */
  async eventTitle(definition: string, event: string): Promise<{ definitionTitle: string; eventTitle: string }> {
    try {
      const def = (await this.registry.machine((await this.registry.latest(definition)).id)).definition;
      return { definitionTitle: def.title, eventTitle: eventTitleIn(def, event) ?? event };
    } catch {
      return { definitionTitle: definition, eventTitle: event };
    }
  }

  /** The instance of a definition with this business key (unique per definition), if any. */
  async byBusinessKey(definition: string, businessKey: string): Promise<InstanceView | undefined> {
    const [row] = await this.db.read((q) =>
      q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.definition_key = $1 AND i.business_key = $2`, [definition, businessKey]),
    );
    return row ? toInstanceView(row) : undefined;
  }

  /** Every instance of a definition, oldest first. */
  async ofDefinition(definition: string): Promise<InstanceView[]> {
    const rows = await this.db.read((q) => q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.definition_key = $1 ORDER BY i.created_at, i.id`, [definition]));
    return rows.map(toInstanceView);
  }

  /**
   * Ids of the active instances of a definition with this business key (exactly), or
   * (`where`) whose correlation values are exactly these (every key, compared as data through
   * the indexed `instance_correlations`), in id order; `excluding` leaves one instance out.
   * There is no prefix search: a name that merely starts the same is another case.
   */
  async activeIds(filter: { definition: string; businessKey?: string; where?: Readonly<Record<string, unknown>>; excluding?: string }): Promise<string[]> {
    const where = filter.where ? Object.entries(filter.where) : undefined;
    if (where && where.length === 0) throw new AppError(ErrorCode.BadRequest, "a 'where' needs at least one correlation value");
    const rows = await this.db.read((q) => {
      if (!where) {
        return q.rows<{ id: string }>(
          `SELECT id FROM instances WHERE definition_key = $1 AND business_key = $2 AND status = 'active' AND id <> $3 ORDER BY id`,
          [filter.definition, filter.businessKey ?? '', filter.excluding ?? ''],
        );
      }
      const params: unknown[] = [filter.definition, filter.excluding ?? ''];
      const match = (alias: string, [name, value]: [string, unknown]) => {
        const text = correlationText(value);
        params.push(name, correlationHash(text), text);
        const n = params.length;
        return `${alias}.name = $${n - 2} AND ${alias}.value_hash = $${n - 1} AND ${alias}.value = $${n}`;
      };
      const first = match('c0', where[0]);
      const joins = where
        .slice(1)
        .map((entry, i) => `JOIN instance_correlations c${i + 1} ON c${i + 1}.instance_id = c0.instance_id AND ${match(`c${i + 1}`, entry)}`)
        .join(' ');
      return q.rows<{ id: string }>(
        `SELECT i.id FROM instance_correlations c0 ${joins} JOIN instances i ON i.id = c0.instance_id
         WHERE c0.definition_key = $1 AND ${first} AND i.status = 'active' AND i.id <> $2 ORDER BY i.id`,
        params,
      );
    });
    return rows.map((r) => r.id);
  }

  private loadRow(instanceId: string): Promise<InstanceRow> {
    return this.db.read((q) => loadInstanceRow(q, instanceId));
  }

  private assertMayRead(row: InstanceRow, actor: Actor): Promise<void> {
    return this.access.requireRead(actor, refOf(row));
  }

  /** The instance as this reader sees it: personal fields masked unless they may see them. */
  private async view(row: InstanceRow, actor: Actor): Promise<InstanceView> {
    const view = toInstanceView(row);
    if (!(await this.access.maskedFor(actor, refOf(row)))) return view;
    const mask = await this.maskOf(row, actor, await this.storedTrail(row));
    return mask ? maskInstance(view, mask) : view;
  }

  /** The audit trail as this reader sees it; stored entries (and their hashes) are untouched. */
  private async trailOf(row: InstanceRow, actor: Actor): Promise<AuditEntryView[]> {
    const trail = await this.storedTrail(row);
    const mask = await this.maskOf(row, actor, trail);
    return mask ? trail.map((e) => maskAuditEntry(e, mask)) : trail;
  }

  private async storedTrail(row: InstanceRow): Promise<AuditEntryView[]> {
    const rows = await this.db.read((q) => q.rows<AuditRecord & { hash: string }>(`${AUDIT_SELECT} WHERE instance_id = $1 ORDER BY seq`, [row.id]));
    return rows.map(toAuditView);
  }

  private async maskOf(row: InstanceRow, actor: Actor, trail: readonly AuditEntryView[]): Promise<PersonalMask | undefined> {
    const personal = await this.access.maskedFor(actor, refOf(row));
    return personal ? { personal, values: personalValues(personal, JSON.parse(row.context), trail) } : undefined;
  }
}

/** What the access policy needs of a stored instance. */
export function refOf(row: InstanceRow): CaseRef {
  return {
    definition: row.definition_key,
    definitionVersionId: row.definition_version_id,
    createdBy: row.created_by,
    get context() {
      return JSON.parse(row.context) as Record<string, unknown>;
    },
  };
}

/** Whether an audit entry's effects hold an `apply:` whose arguments name the instance (one argument equal to its id). */
function appliesTo(effects: string, instanceId: string): boolean {
  const parsed = JSON.parse(effects) as { effects?: { kind: string; params?: { with?: Record<string, unknown> } }[] };
  return (parsed.effects ?? []).some((e) => e.kind === 'apply' && Object.values(e.params?.with ?? {}).includes(instanceId));
}

/** The title of an event as declared in the state (or the states around it), else in any state of the definition. */
function eventTitleIn(def: ProcessDefinition, event: string, state?: string): string | undefined {
  for (let s = state ? def.states[state] : undefined; s; s = s.parent ? def.states[s.parent] : undefined) {
    if (s.on[event]) return s.on[event].title;
  }
  return Object.values(def.states).find((s) => s.on[event]?.title)?.on[event]?.title;
}
