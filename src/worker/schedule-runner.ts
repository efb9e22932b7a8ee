/**
 * Owns the recurring schedules declared in definitions (`schedules:`; the `schedules` rows),
 * e.g. "every month on day 1 at 09:00" starting the monthly complaint report. Each schedule has
 * one row holding its next run; a process runs it by moving that row forward with a
 * compare-and-set (`... WHERE next_run_at = <the due time>`), so across any number of processes
 * each run happens once. A run missed while no process was up happens once on the next tick,
 * then the schedule continues from now (no burst of catch-up runs). A failed run is not retried
 * (the next occurrence is); its error stays on the row (`last_error`).
 */
import type { Clock } from '../common/clock';
import type { Log } from '../common/logging';
import { evaluateScheduleRun, type ScheduledAction } from '../compiler/deadlines';
import type { DefinitionRegistry } from '../engine/definition-registry';
import type { InstanceQueryService } from '../engine/instance-query.service';
import type { TransitionService } from '../engine/transition.service';
import { SYSTEM_ACTOR } from '../engine/transition-plan';
import type { Database } from '../persistence/database';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { nextOccurrence } from '../calendar/deadline-spec';

export class ScheduleRunner {
  constructor(
    private readonly db: Database,
    private readonly registry: DefinitionRegistry,
    private readonly transitions: Pick<TransitionService, 'create' | 'send'>,
    private readonly instances: Pick<InstanceQueryService, 'activeIds'>,
    private readonly calendar: BusinessCalendar,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  /** Creates the rows of schedules declared by the newest versions, and drops rows of schedules no longer declared. */
  async sync(): Promise<void> {
    const now = this.clock.now();
    for (const version of await this.registry.list()) {
      const def = (await this.registry.machine(version.id)).definition;
      const names = def.schedules.map((s) => s.name);
      await this.db.transaction(async (tx) => {
        for (const schedule of def.schedules) {
          const next = nextOccurrence(schedule.spec, now, this.calendar).toISOString();
          await tx.run(`INSERT INTO schedules (definition_key, name, next_run_at) VALUES ($1, $2, $3) ON CONFLICT (definition_key, name) DO NOTHING`, [
            def.key,
            schedule.name,
            next,
          ]);
          // A new version may repeat at another time (a process owner changed the cadence): a
          // run still ahead moves to the new phrase's next occurrence. A run already due (missed
          // while no process was up) stays, so it still happens once.
          await tx.run('UPDATE schedules SET next_run_at = $1 WHERE definition_key = $2 AND name = $3 AND next_run_at > $4 AND next_run_at <> $1', [
            next,
            def.key,
            schedule.name,
            now.toISOString(),
          ]);
        }
        const keep = names.map((_, i) => `$${i + 2}`).join(', ');
        await tx.run(`DELETE FROM schedules WHERE definition_key = $1${names.length ? ` AND name NOT IN (${keep})` : ''}`, [def.key, ...names]);
      });
    }
  }

  /** Runs every schedule that is due; returns how many ran. */
  async tick(): Promise<number> {
    const now = this.clock.now();
    const due = await this.db.read((q) =>
      q.rows<{ definition_key: string; name: string; next_run_at: string }>(
        'SELECT definition_key, name, next_run_at FROM schedules WHERE next_run_at <= $1 ORDER BY next_run_at',
        [now.toISOString()],
      ),
    );
    let ran = 0;
    for (const row of due) {
      const version = await this.registry.latest(row.definition_key);
      const def = (await this.registry.machine(version.id)).definition;
      const schedule = def.schedules.find((s) => s.name === row.name);
      if (!schedule) continue;
      const next = nextOccurrence(schedule.spec, now, this.calendar).toISOString();
      const claimed = await this.db.transaction((tx) =>
        tx.run('UPDATE schedules SET next_run_at = $1, last_run_at = $2 WHERE definition_key = $3 AND name = $4 AND next_run_at = $5', [
          next,
          row.next_run_at,
          row.definition_key,
          row.name,
          row.next_run_at,
        ]),
      );
      if (claimed !== 1) continue;
      const cause = { kind: 'schedule' as const, definition: def.key, schedule: schedule.name, runAt: row.next_run_at };
      try {
        const actions = evaluateScheduleRun(def, schedule, row.next_run_at);
        // One run of a `forEach` schedule does one action per element, each with its own key; one
        // that fails (e.g. a case with that business key was already opened by hand) does not
        // stop the others, and its error is kept on the row.
        const failures: string[] = [];
        for (const [i, action] of actions.entries()) {
          const runKey = `schedule:${def.key}:${schedule.name}:${row.next_run_at}${schedule.forEach ? `:${i}` : ''}`;
          try {
            await this.runAction(def.key, action, runKey, cause);
          } catch (err) {
            if (!schedule.forEach) throw err;
            failures.push(`element ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        if (failures.length > 0) throw new Error(failures.join('; '));
        await this.db.transaction((tx) => tx.run('UPDATE schedules SET last_error = NULL WHERE definition_key = $1 AND name = $2', [def.key, schedule.name]));
        ran += 1;
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        this.log.warn(`schedule ${def.key}/${schedule.name} at ${row.next_run_at} failed: ${text}`);
        await this.db.transaction((tx) =>
          tx.run('UPDATE schedules SET last_error = $1 WHERE definition_key = $2 AND name = $3', [text, def.key, schedule.name]),
        );
      }
    }
    return ran;
  }

  private async runAction(definition: string, action: ScheduledAction, runKey: string, cause: ScheduleCause): Promise<void> {
    if (action.kind === 'start') {
      await this.transitions.create({ definition, businessKey: action.businessKey, context: action.context, idempotencyKey: runKey }, SYSTEM_ACTOR, { cause });
      return;
    }
    for (const target of await this.instances.activeIds({ definition, businessKey: action.to })) {
      await this.transitions.send(target, { type: action.event, payload: action.payload, idempotencyKey: `${runKey}:${target}` }, SYSTEM_ACTOR, { cause });
    }
  }
}

type ScheduleCause = { kind: 'schedule'; definition: string; schedule: string; runAt: string };
