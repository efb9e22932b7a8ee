/**
 * 催办: the person who started a case reminds whoever holds its current step (the assignee when
 * the step is claimed, else the roles that may act there) to get on with it. The reminder lands
 * in their inbox (a person is addressed as `user:<login>` in `inbox_items.role`, which
 * `CaseRecordsService.inbox` reads with the reader's roles) and is an audit entry `$remind` of the
 * instance's chain (payload `{ to }`, state unchanged), written with the inbox rows in one
 * transaction that compare-and-sets the instance's version, as assignment changes are, so
 * `GET /audit/verify` keeps verifying.
 *
 * At most one reminder per case per person within `assignment.remindEveryHours` (of the state,
 * else of the definition; default 4 hours); a second within the period is refused with when the
 * next is possible.
 */
import { chineseLocalTime } from '../calendar/local-time-text.util';
import { AppError, ErrorCode } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { IdGenerator } from '../common/ids';
import type { Actor } from '../compiler/process-machine.contract';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { Database } from '../persistence/database';
import type { AccessPolicy } from './access-policy';
import { candidateRoles, holderOf, type PeopleDirectory } from './assignment.service';
import type { DefinitionRegistry } from './definition-registry';
import { appendStatelessEntry } from './transition-rows';
import { loadInstanceRow } from './instance-rows';

export const REMIND_EVENT = '$remind';
export const DEFAULT_REMIND_EVERY_HOURS = 4;

/** The inbox address of one person (`inbox_items.role`). */
export function personAddress(username: string): string {
  return `user:${username}`;
}

/** `assignment.remindEveryHours` of the state, else of the definition, else the default. */
export function remindEveryHours(def: Pick<ProcessDefinition, 'assignment' | 'states'>, state: string): number {
  return def.states[state]?.assignment?.remindEveryHours ?? def.assignment?.remindEveryHours ?? DEFAULT_REMIND_EVERY_HOURS;
}

export interface ReminderView {
  readonly instanceId: string;
  /** Whom the reminder reached: the holder, or the roles that may act on the step. */
  readonly to: { readonly assignee: string } | { readonly roles: readonly string[] };
  readonly message: string;
  readonly at: string;
  /** When the same person may remind again. */
  readonly nextAt: string;
}

/** What the case page shows: whether the reader may remind now, else why not. */
export interface ReminderStatus {
  readonly may: boolean;
  /** Shown to the starter when a reminder was sent within the period. */
  readonly refusal?: string;
  readonly to: string;
}

export class ReminderService {
  constructor(
    private readonly db: Database,
    private readonly definitions: DefinitionRegistry,
    private readonly access: AccessPolicy,
    private readonly people: PeopleDirectory,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly timeZone: string | undefined,
  ) {}

  /** Whether the reader may remind on this case now (undefined when they are not its starter or it has nobody to remind). */
  async status(instanceId: string, actor: Actor): Promise<ReminderStatus | undefined> {
    const plan = await this.plan(instanceId, actor).catch((e: unknown) => {
      if (e instanceof AppError && e.code === ErrorCode.TooManyAttempts) return e;
      return undefined;
    });
    if (plan === undefined) return undefined;
    if (plan instanceof AppError) return { may: false, refusal: plan.userMessage, to: '' };
    return { may: true, to: plan.toText };
  }

  async remind(instanceId: string, actor: Actor): Promise<ReminderView> {
    const { row, def, to, toText, period } = await this.plan(instanceId, actor);
    const now = this.clock.now();
    const at = now.toISOString();
    const names = await this.people.displayNames([actor.id]);
    const message = `【催办】${names[actor.id] ?? actor.id}催办“${def.title} ${row.business_key}”（${def.states[row.state]?.title ?? row.state}），请${toText}尽快办理。`;
    const addresses = 'assignee' in to ? [personAddress(to.assignee)] : to.roles;
    await appendStatelessEntry(this.db, row, { eventType: REMIND_EVENT, payload: { to }, actor, at, what: 'the reminder was being sent' }, async (tx) => {
      for (const address of addresses) {
        await tx.run('INSERT INTO inbox_items (id, role, instance_id, message, created_at) VALUES ($1, $2, $3, $4, $5)', [
          this.ids.uuid(),
          address,
          row.id,
          message,
          at,
        ]);
      }
    });
    return { instanceId: row.id, to, message, at, nextAt: new Date(now.getTime() + period * 3_600_000).toISOString() };
  }

  /** Checks who may remind and when, and whom the reminder reaches. */
  private async plan(instanceId: string, actor: Actor) {
    const row = await this.db.read((q) => loadInstanceRow(q, instanceId));
    await this.access.requireRead(actor, {
      definition: row.definition_key,
      definitionVersionId: row.definition_version_id,
      createdBy: row.created_by,
      context: JSON.parse(row.context),
    });
    if (row.status !== 'active') {
      throw new AppError(ErrorCode.InstanceCompleted, `instance ${row.id} is completed: there is nobody to remind`, undefined, {
        userMessage: '此案件已办结，无需催办。',
      });
    }
    if (row.created_by !== actor.id) {
      throw new AppError(ErrorCode.Forbidden, 'only the person who started the case may send a reminder', undefined, {
        userMessage: '只有本案件的发起人可以催办。',
      });
    }
    const machine = await this.definitions.machine(row.definition_version_id);
    const def = machine.definition;
    const held = await this.db.read((q) => holderOf(q, row.id, row.state));
    const roles = candidateRoles(machine, row.state);
    if (!held && roles.length === 0) {
      throw new AppError(ErrorCode.BadRequest, `the step '${row.state}' has nobody to remind (no role may act there)`, undefined, {
        userMessage: '当前步骤由系统自动处理，没有可催办的办理人。',
      });
    }
    const period = remindEveryHours(def, row.state);
    const [last] = await this.db.read((q) =>
      q.rows<{ at: string }>('SELECT at FROM audit_entries WHERE instance_id = $1 AND event_type = $2 AND actor = $3 ORDER BY seq DESC LIMIT 1', [
        row.id,
        REMIND_EVENT,
        actor.id,
      ]),
    );
    if (last) {
      const next = new Date(new Date(last.at).getTime() + period * 3_600_000);
      if (next.getTime() > this.clock.now().getTime()) {
        const when = (v: string | Date) => chineseLocalTime(v instanceof Date ? v.toISOString() : v, { time: true, timeZone: this.timeZone }) ?? String(v);
        throw new AppError(
          ErrorCode.TooManyAttempts,
          `a reminder was sent at ${last.at}; the next is possible from ${next.toISOString()} (one per ${period} hours)`,
          { nextAt: next.toISOString() },
          { userMessage: `您已于${when(last.at)}催办过，${period}小时内只能催办一次，请于${when(next)}之后再催办。` },
        );
      }
    }
    const titles = (rs: readonly string[]) => rs.map((r) => (Object.prototype.hasOwnProperty.call(def.roles, r) ? (def.roles[r].title ?? r) : r)).join('、');
    const to: ReminderView['to'] = held ? { assignee: held.assignee } : { roles };
    const toText = held ? held.name : titles(roles);
    return { row, def, to, toText, period };
  }
}
