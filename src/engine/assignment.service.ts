/**
 * People as assignees of a case's current step, as Camunda's Tasklist has assignee and
 * candidate groups: anyone holding a role of the step's events (the candidates) may claim it;
 * the holder may release it or transfer it to a named colleague who may act there; the roles
 * the definition names under `assignment: { reassignBy }` (on the state, or the definition's
 * default) may reassign it to anyone who may act there, whoever holds it.
 *
 * Each change is an audit entry in the instance's chain (`$claim`, `$release`, `$transfer`,
 * `$reassign`, payload `{ assignee, previous }`, state unchanged), written with the row of
 * `task_assignments` in one transaction that compare-and-sets the instance's version, so
 * `GET /audit/verify` keeps verifying and a claim racing an event gets VersionConflict.
 * While a step is held, the write path (`transition.service.ts`) refuses its events to anyone
 * else, naming the holder; leaving the state drops the row.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { Actor } from '../compiler/process-machine.contract';
import { SYSTEM_ROLE } from '../definitions/definition-build-context';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { Database, SqlExecutor } from '../persistence/database';
import { mayActOn, type AccessPolicy, type CaseRef } from './access-policy';
import type { DefinitionRegistry } from './definition-registry';
import { appendStatelessEntry } from './transition-rows';
import { loadInstanceRow, type InstanceRow } from './instance-rows';

/** The audit event types of assignment changes. */
export const ASSIGNMENT_EVENTS = { claim: '$claim', release: '$release', transfer: '$transfer', reassign: '$reassign' } as const;
export type AssignmentChange = keyof typeof ASSIGNMENT_EVENTS;

export interface AssignmentView {
  readonly instanceId: string;
  readonly state: string;
  /** The holder's login id, or null when nobody holds the step. */
  readonly assignee: string | null;
  /** The holder's display name (the login id when it has none). */
  readonly assigneeName: string | null;
  readonly assignedBy: string | null;
  readonly assignedAt: string | null;
  /** What the reader may do now. */
  readonly may: { readonly claim: boolean; readonly release: boolean; readonly transfer: boolean; readonly reassign: boolean };
  /** The roles that may act on the step (the candidates), and those that may reassign it. */
  readonly candidateRoles: readonly string[];
  readonly reassignBy: readonly string[];
}

interface AssignmentRow {
  instance_id: string;
  state: string;
  assignee: string;
  assigned_by: string;
  assigned_at: string;
}

/** Looks up the people assignments name (`AuthService`'s `actorFor`, `displayNames`). */
export interface PeopleDirectory {
  actorFor(username: string): Promise<Actor | undefined>;
  displayNames(usernames: Iterable<string>): Promise<Record<string, string>>;
}

/** The roles (people's, not `system`) of the events a state accepts from people: who may act there. */
export function candidateRoles(
  machine: { acceptedEvents(state: string): readonly { event: { via?: string; roles: readonly string[] } }[] },
  state: string,
): string[] {
  const roles = machine
    .acceptedEvents(state)
    .filter(({ event }) => event.via !== 'service')
    .flatMap(({ event }) => event.roles.filter((r) => r !== SYSTEM_ROLE));
  return [...new Set(roles)];
}

/** `assignment.reassignBy` of the state, else of the definition, else nobody. */
export function reassignRoles(def: Pick<ProcessDefinition, 'assignment' | 'states'>, state: string): readonly string[] {
  return def.states[state]?.assignment?.reassignBy ?? def.assignment?.reassignBy ?? [];
}

/** The holder of an instance's step in `state`, if any (read inside or outside a transaction). */
export async function holderOf(q: SqlExecutor, instanceId: string, state: string): Promise<{ assignee: string; name: string } | undefined> {
  const [row] = await q.rows<{ assignee: string; display_name: string | null }>(
    'SELECT a.assignee, u.display_name FROM task_assignments a LEFT JOIN users u ON u.username = a.assignee WHERE a.instance_id = $1 AND a.state = $2',
    [instanceId, state],
  );
  return row ? { assignee: row.assignee, name: row.display_name ?? row.assignee } : undefined;
}

/** The refusal of an event on a step another person holds: who holds it, and what to do. */
export function heldByOtherText(holderName: string, reassignTitles: readonly string[]): string {
  const supervisors = reassignTitles.length > 0 ? `，或请${reassignTitles.join('、')}改派` : '';
  return `此步骤已由${holderName}认领办理，其他人暂不能办理。如需接手，请联系${holderName}转交${supervisors}。`;
}

function refOf(row: InstanceRow): CaseRef {
  return { definition: row.definition_key, definitionVersionId: row.definition_version_id, createdBy: row.created_by, context: JSON.parse(row.context) };
}

export class AssignmentService {
  constructor(
    private readonly db: Database,
    private readonly definitions: DefinitionRegistry,
    private readonly access: AccessPolicy,
    private readonly people: PeopleDirectory,
    private readonly clock: Clock,
  ) {}

  /** Who holds the step, and what the reader may do about it. */
  async get(instanceId: string, actor: Actor): Promise<AssignmentView> {
    const { row, def, candidates, reassignBy } = await this.load(instanceId, actor);
    const [held] = await this.db.read((q) =>
      q.rows<AssignmentRow>('SELECT * FROM task_assignments WHERE instance_id = $1 AND state = $2', [instanceId, row.state]),
    );
    const names = held ? await this.people.displayNames([held.assignee]) : {};
    const canAct = row.status === 'active' && this.mayAct(def, actor, row, candidates);
    const mine = held?.assignee === actor.id;
    return {
      instanceId,
      state: row.state,
      assignee: held?.assignee ?? null,
      assigneeName: held ? (names[held.assignee] ?? held.assignee) : null,
      assignedBy: held?.assigned_by ?? null,
      assignedAt: held?.assigned_at ?? null,
      may: {
        claim: canAct && !held,
        release: row.status === 'active' && mine,
        transfer: row.status === 'active' && mine,
        reassign: row.status === 'active' && actor.roles.some((r) => reassignBy.includes(r)),
      },
      candidateRoles: candidates,
      reassignBy,
    };
  }

  /** The holders of these instances' current steps, by instance id (for work lists). */
  async holders(instanceIds: readonly string[]): Promise<Record<string, { assignee: string; name: string; state: string }>> {
    if (instanceIds.length === 0) return {};
    const out: Record<string, { assignee: string; name: string; state: string }> = {};
    for (let i = 0; i < instanceIds.length; i += 500) {
      const chunk = instanceIds.slice(i, i + 500);
      const rows = await this.db.read((q) =>
        q.rows<{ instance_id: string; state: string; assignee: string; display_name: string | null }>(
          `SELECT a.instance_id, a.state, a.assignee, u.display_name FROM task_assignments a LEFT JOIN users u ON u.username = a.assignee
           WHERE a.instance_id IN (${chunk.map((_, n) => `$${n + 1}`).join(', ')})`,
          chunk,
        ),
      );
      for (const r of rows) out[r.instance_id] = { assignee: r.assignee, name: r.display_name ?? r.assignee, state: r.state };
    }
    return out;
  }

  /**
   * The people who could receive the step (its candidates who may act on this case), by name:
   * what a transfer or reassign form offers. Empty to a reader who may neither transfer nor reassign.
   */
  async colleagues(instanceId: string, actor: Actor): Promise<{ username: string; name: string }[]> {
    const view = await this.get(instanceId, actor);
    if (!view.may.transfer && !view.may.reassign) return [];
    const { row, def, candidates } = await this.load(instanceId, actor);
    const users = await this.db.read((q) => q.rows<{ username: string; roles: string }>('SELECT username, roles FROM users ORDER BY username'));
    const out: { username: string; name: string }[] = [];
    for (const u of users) {
      if (u.username === view.assignee) continue;
      const roles = JSON.parse(u.roles) as string[];
      if (!roles.some((r) => candidates.includes(r))) continue;
      const colleague = await this.people.actorFor(u.username);
      if (colleague && this.mayAct(def, colleague, row, candidates)) out.push({ username: u.username, name: colleague.name ?? u.username });
    }
    return out;
  }

  async claim(instanceId: string, actor: Actor): Promise<AssignmentView> {
    const { row, def, candidates } = await this.load(instanceId, actor);
    this.assertActive(row);
    if (!this.mayAct(def, actor, row, candidates)) {
      throw new AppError(
        ErrorCode.Forbidden,
        `you may not claim this step: it needs one of the roles ${candidates.join(', ') || '(none)'}; you have ${actor.roles.join(', ') || 'none'}`,
        undefined,
        { userMessage: `您不能认领此步骤：它由${this.roleTitles(def, candidates) || '（无人）'}办理。` },
      );
    }
    const held = await this.db.read((q) => holderOf(q, instanceId, row.state));
    if (held) {
      throw new AppError(
        ErrorCode.AlreadyExists,
        `the step is already claimed by '${held.assignee}'`,
        { assignee: held.assignee },
        {
          userMessage: held.assignee === actor.id ? '您已认领此步骤。' : heldByOtherText(held.name, this.titles(def, reassignRoles(def, row.state))),
        },
      );
    }
    await this.write(row, actor, 'claim', actor.id, null);
    return this.get(instanceId, actor);
  }

  async release(instanceId: string, actor: Actor): Promise<AssignmentView> {
    const { row } = await this.load(instanceId, actor);
    this.assertActive(row);
    const held = await this.db.read((q) => holderOf(q, instanceId, row.state));
    if (!held || held.assignee !== actor.id) {
      throw new AppError(ErrorCode.Forbidden, 'only the holder of a step may release it', undefined, {
        userMessage: held ? `此步骤由${held.name}认领，只有其本人可以释放。` : '此步骤尚未被认领，无需释放。',
      });
    }
    await this.write(row, actor, 'release', null, actor.id);
    return this.get(instanceId, actor);
  }

  /** The holder hands the step to a named colleague who may act there. */
  async transfer(instanceId: string, to: string, actor: Actor): Promise<AssignmentView> {
    const { row, def, candidates } = await this.load(instanceId, actor);
    this.assertActive(row);
    const held = await this.db.read((q) => holderOf(q, instanceId, row.state));
    if (!held || held.assignee !== actor.id) {
      throw new AppError(ErrorCode.Forbidden, 'only the holder of a step may transfer it (a supervisor reassigns)', undefined, {
        userMessage: held ? `此步骤由${held.name}认领，只有其本人可以转交；主管可以改派。` : '请先认领此步骤，再转交给同事。',
      });
    }
    await this.assertMayReceive(def, row, candidates, to);
    await this.write(row, actor, 'transfer', to, actor.id);
    return this.get(instanceId, actor);
  }

  /** A supervisor (`assignment.reassignBy`) gives the step to anyone who may act there, whoever holds it. */
  async reassign(instanceId: string, to: string, actor: Actor): Promise<AssignmentView> {
    const { row, def, candidates, reassignBy } = await this.load(instanceId, actor);
    this.assertActive(row);
    if (!actor.roles.some((r) => reassignBy.includes(r))) {
      throw new AppError(
        ErrorCode.Forbidden,
        `you may not reassign this step: 'assignment.reassignBy' names ${reassignBy.join(', ') || 'no role'}; you have ${actor.roles.join(', ') || 'none'}`,
        undefined,
        { userMessage: reassignBy.length ? `只有${this.titles(def, reassignBy).join('、')}可以改派此步骤。` : '此步骤不允许改派。' },
      );
    }
    await this.assertMayReceive(def, row, candidates, to);
    const held = await this.db.read((q) => holderOf(q, instanceId, row.state));
    await this.write(row, actor, 'reassign', to, held?.assignee ?? null);
    return this.get(instanceId, actor);
  }

  private async load(instanceId: string, actor: Actor) {
    const row = await this.db.read((q) => loadInstanceRow(q, instanceId));
    await this.access.requireRead(actor, refOf(row));
    const machine = await this.definitions.machine(row.definition_version_id);
    const def = machine.definition;
    return { row, def, candidates: candidateRoles(machine, row.state), reassignBy: reassignRoles(def, row.state) };
  }

  private assertActive(row: InstanceRow) {
    if (row.status !== 'active') {
      throw new AppError(ErrorCode.InstanceCompleted, `instance ${row.id} is completed: its steps cannot be assigned`);
    }
  }

  private mayAct(def: ProcessDefinition, actor: Actor, row: InstanceRow, candidates: readonly string[]): boolean {
    return actor.roles.some((r) => candidates.includes(r)) && mayActOn(def, actor, { createdBy: row.created_by, context: JSON.parse(row.context) });
  }

  private async assertMayReceive(def: ProcessDefinition, row: InstanceRow, candidates: readonly string[], to: string) {
    const colleague = await this.people.actorFor(to);
    if (!colleague) {
      throw new AppError(ErrorCode.NotFound, `there is no user '${to}'`, undefined, { userMessage: `没有找到用户“${to}”，请检查账号。` });
    }
    if (!this.mayAct(def, colleague, row, candidates)) {
      throw new AppError(
        ErrorCode.Forbidden,
        `'${to}' may not act on this step: it needs one of the roles ${candidates.join(', ')}; they have ${colleague.roles.join(', ') || 'none'}`,
        { to },
        { userMessage: `${colleague.name ?? to}不能办理此步骤：它由${this.roleTitles(def, candidates)}办理。` },
      );
    }
  }

  private titles(def: ProcessDefinition, roles: readonly string[]): string[] {
    return roles.map((r) => (Object.prototype.hasOwnProperty.call(def.roles, r) ? (def.roles[r].title ?? r) : r));
  }

  private roleTitles(def: ProcessDefinition, roles: readonly string[]): string {
    return this.titles(def, roles).join('、');
  }

  /** The audit entry and the assignment row, in one transaction on the instance's version. */
  private async write(row: InstanceRow, actor: Actor, change: AssignmentChange, assignee: string | null, previous: string | null) {
    const now = this.clock.now().toISOString();
    await appendStatelessEntry(
      this.db,
      row,
      { eventType: ASSIGNMENT_EVENTS[change], payload: { assignee, previous }, actor, at: now, what: 'its step was being assigned' },
      async (tx, seq) => {
        await tx.run('DELETE FROM task_assignments WHERE instance_id = $1', [row.id]);
        if (assignee !== null) {
          await tx.run('INSERT INTO task_assignments (instance_id, state, assignee, assigned_by, assigned_at, audit_seq) VALUES ($1, $2, $3, $4, $5, $6)', [
            row.id,
            row.state,
            assignee,
            actor.id,
            now,
            seq,
          ]);
        }
      },
    );
  }
}
