/**
 * Keeps pending deadlines in step with the business calendar's data.
 *
 * A deadline that counts working days keeps what it was computed from (its `basis`) and
 * whether it rests on provisional data (a year without official holidays). When the calendar's
 * data changes — the calendar file gained a year (`wf calendar import`), a newer chinese-days
 * was installed — every pending holiday-dependent deadline is computed again. Each instance
 * whose deadlines moved, or became official, gets one audit entry `$deadlines.recomputed` by
 * the actor `system` saying the old and new due times and why; nothing else in the instance
 * changes. A deadline the new data makes already past simply fires on the timer runner's next
 * pass, once (the ordinary pending → fired flip).
 *
 * When it happens: at start when the calendar's fingerprint differs from the last recorded
 * revision (`calendar_revisions`), on an admin's reload (API or CLI), and in every other
 * engine process when it notices a newer revision (it reloads its own calendar file, then
 * recomputes — which finds nothing left to do unless it had armed deadlines meanwhile).
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Clock } from '../common/clock';
import { CryptoIdGenerator, type IdGenerator } from '../common/ids';
import { ConsoleLogging, type Log } from '../common/logging';
import { auditHash, type AuditRecord } from '../audit/audit-chain';
import { insertAuditEntry } from '../audit/audit-entries';
import { Database } from '../persistence/database';
import type { BusinessCalendar, BusinessCalendarConfig } from '../calendar/business-calendar';
import { calendarWarning, type CalendarWarning } from '../calendar/calendar-horizon';
import { recomputeDue, type CalendarBasis } from '../calendar/deadline-spec';
import { SYSTEM_ACTOR } from './transition-plan';
import { auditedTimer } from './transition-rows';

/** Event type of the audit entry that records deadlines recomputed after a calendar change. */
export const DEADLINES_RECOMPUTED_EVENT = '$deadlines.recomputed';

export interface DeadlineChange {
  readonly timerId: string;
  readonly deadline: string;
  readonly event: string;
  readonly oldDueAt: string;
  readonly newDueAt: string;
  readonly wasProvisional: boolean;
  readonly provisional: boolean;
}

export interface CalendarRevision {
  readonly id: string;
  readonly fingerprint: string;
  readonly officialYears: number[];
  readonly officialThrough: string | null;
  readonly trigger: string;
  readonly actor: string;
  readonly reason: string;
  readonly changed: number;
  readonly at: string;
}

export interface RecomputeReport {
  readonly reason: string;
  /** Instances that received an audit entry, with what changed on each. */
  readonly instances: readonly { readonly instanceId: string; readonly seq: number; readonly changes: readonly DeadlineChange[] }[];
  readonly changed: number;
}

export interface CalendarSyncOptions {
  /** Days before the end of official data from which the service warns (default 60). */
  readonly warnDays?: number;
  /** How often (ms) a process checks for a revision recorded by another process (default 30 s). */
  readonly followEveryMs?: number;
  /** Names revisions (default: random UUIDs). */
  readonly ids?: IdGenerator;
  /** Where reloads and warnings are logged (default: the console, down to `log`). */
  readonly log?: Log;
}

interface PendingTimer {
  id: string;
  instance_id: string;
  deadline: string;
  event_type: string;
  due_at: string;
  provisional: number | string;
  basis: string;
}

interface RevisionRow {
  id: string;
  fingerprint: string;
  official_years: string;
  official_through: string | null;
  trigger: string;
  actor: string;
  reason: string;
  changed: number | string;
  at: string;
}

const toRevision = (r: RevisionRow): CalendarRevision => ({
  id: r.id,
  fingerprint: r.fingerprint,
  officialYears: JSON.parse(r.official_years),
  officialThrough: r.official_through,
  trigger: r.trigger,
  actor: r.actor,
  reason: r.reason,
  changed: Number(r.changed),
  at: r.at,
});

/** How many times one instance's recomputation is retried when a transition races it. */
const MAX_ATTEMPTS = 5;

export class CalendarSync {
  private readonly ids: IdGenerator;
  private readonly logger: Log;
  private lastFollowCheck = 0;
  private lastWarnedDate = '';
  private mismatchLogged = '';

  constructor(
    private readonly db: Database,
    private readonly calendar: BusinessCalendar,
    private readonly clock: Clock,
    /** Reads the calendar's data afresh (the calendar file); throws `CalendarInvalid` when it is wrong. */
    private readonly loadData: () => BusinessCalendarConfig,
    private readonly options: CalendarSyncOptions = {},
  ) {
    this.ids = options.ids ?? new CryptoIdGenerator();
    this.logger = options.log ?? new ConsoleLogging(['fatal', 'error', 'warn', 'log']).scope('calendar');
  }

  /** At start: records the calendar's data and recomputes deadlines when it changed since the last revision. */
  async atStart(): Promise<CalendarRevision | undefined> {
    const latest = await this.latestRevision();
    if (latest?.fingerprint === this.calendar.fingerprint()) return undefined;
    return this.recordChange(latest, 'start', SYSTEM_ACTOR.id);
  }

  /**
   * Reads the calendar file again and applies it: an admin's reload (API or CLI). Invalid data
   * is refused whole (`CalendarInvalid`, with positions) and changes nothing.
   */
  async reload(actor: string, trigger: 'api' | 'cli' = 'api'): Promise<{ revision: CalendarRevision; report: RecomputeReport; unchanged: boolean }> {
    const config = this.loadData();
    const latest = await this.latestRevision();
    this.calendar.replaceData(config);
    const unchanged = latest?.fingerprint === this.calendar.fingerprint();
    const before = latest ?? undefined;
    const reason = describeChange(before?.officialYears, this.calendar.yearsWithData());
    const report = await this.recompute(reason);
    const revision = await this.insertRevision(trigger, actor, unchanged ? `${reason.zh}（数据未变）` : reason.zh, report.changed);
    this.logger.log(`calendar reloaded by ${actor}: ${reason.en}; ${report.changed} deadline(s) recomputed`);
    return { revision, report, unchanged };
  }

  /**
   * In the background loop: when another process recorded a newer revision, reload this
   * process's calendar file so both answer alike, then recompute what this process armed
   * meanwhile. Checks at most every `followEveryMs`.
   */
  async follow(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastFollowCheck < (this.options.followEveryMs ?? 30_000)) return;
    this.lastFollowCheck = now;
    const latest = await this.latestRevision();
    if (!latest || latest.fingerprint === this.calendar.fingerprint()) return;
    try {
      this.calendar.replaceData(this.loadData());
    } catch (err) {
      this.logger.error(`another process changed the calendar, but this process's calendar file cannot be read: ${(err as Error).message}`);
      return;
    }
    if (this.calendar.fingerprint() !== latest.fingerprint) {
      if (this.mismatchLogged !== latest.id) {
        this.logger.error(
          `revision ${latest.id} (${latest.reason}) was recorded by another process, but this process's calendar file differs: deploy the same file everywhere`,
        );
        this.mismatchLogged = latest.id;
      }
      return;
    }
    await this.recompute(describeChange(undefined, this.calendar.yearsWithData(), latest.reason));
  }

  /** The warning for staff when official data ends within `warnDays` (or has ended), else undefined. */
  warning(): CalendarWarning | undefined {
    return calendarWarning({ calendar: this.calendar, now: this.clock.now(), warnDays: this.options.warnDays ?? 60 });
  }

  /** Logs the warning once per local day (at start and daily from the background loop). */
  logWarningDaily(): void {
    const today = this.calendar.localDate(this.clock.now());
    if (this.lastWarnedDate === today) return;
    this.lastWarnedDate = today;
    const warning = this.warning();
    if (warning) this.logger.warn(warning.message);
  }

  async status(): Promise<{
    timeZone: string;
    endOfDay: string;
    officialYears: { from: number; to: number } | null;
    officialThrough: string | null;
    provisionalFrom: string | null;
    fingerprint: string;
    warning: CalendarWarning | null;
    revision: CalendarRevision | null;
  }> {
    const years = this.calendar.yearsWithData();
    const through = this.calendar.officialThrough() ?? null;
    return {
      timeZone: this.calendar.timeZone,
      endOfDay: this.calendar.endOfDayTime,
      officialYears: years.length ? { from: years[0], to: years[years.length - 1] } : null,
      officialThrough: through,
      provisionalFrom: through ? `${Number(through.slice(0, 4)) + 1}-01-01` : null,
      fingerprint: this.calendar.fingerprint(),
      warning: this.warning() ?? null,
      revision: (await this.latestRevision()) ?? null,
    };
  }

  async revisions(limit = 50): Promise<CalendarRevision[]> {
    const rows = await this.db.read((q) =>
      q.rows<RevisionRow>(`SELECT * FROM calendar_revisions ORDER BY at DESC, id DESC LIMIT ${Math.min(500, Math.max(1, limit))}`),
    );
    return rows.map(toRevision);
  }

  /**
   * Computes every pending holiday-dependent deadline again under the calendar's current data
   * and records, per instance, what moved (see the file header). Safe to run again: a
   * deadline already up to date is left alone.
   */
  async recompute(reason: ChangeReason): Promise<RecomputeReport> {
    const pending = await this.db.read((q) =>
      q.rows<PendingTimer>(
        `SELECT id, instance_id, deadline, event_type, due_at, provisional, basis FROM timers
       WHERE status = 'pending' AND basis IS NOT NULL ORDER BY instance_id, due_at, id`,
      ),
    );
    const byInstance = new Map<string, PendingTimer[]>();
    for (const t of pending) byInstance.set(t.instance_id, [...(byInstance.get(t.instance_id) ?? []), t]);
    const instances: RecomputeReport['instances'][number][] = [];
    for (const [instanceId, timers] of byInstance) {
      const changes = timers.map((t) => this.changeOf(t)).filter((c): c is DeadlineChange => c !== undefined);
      if (changes.length === 0) continue;
      const seq = await this.applyChanges(instanceId, changes, reason);
      if (seq !== undefined) instances.push({ instanceId, seq, changes });
    }
    return { reason: reason.zh, instances, changed: instances.reduce((n, i) => n + i.changes.length, 0) };
  }

  private changeOf(t: PendingTimer): DeadlineChange | undefined {
    const due = recomputeDue(JSON.parse(t.basis) as CalendarBasis, this.calendar);
    const newDueAt = due.dueAt.toISOString();
    const wasProvisional = Number(t.provisional) === 1;
    if (newDueAt === t.due_at && due.provisional === wasProvisional) return undefined;
    return { timerId: t.id, deadline: t.deadline, event: t.event_type, oldDueAt: t.due_at, newDueAt, wasProvisional, provisional: due.provisional };
  }

  /** One transaction: moves the timers still as read, appends the audit entry, bumps the instance's version. */
  private async applyChanges(instanceId: string, changes: readonly DeadlineChange[], reason: ChangeReason): Promise<number | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const [row] = await tx.rows<{
            state: string;
            version: number | string;
            audit_seq: number | string;
            audit_head: string;
            definition_version_id: string;
            status: string;
          }>('SELECT state, version, audit_seq, audit_head, definition_version_id, status FROM instances WHERE id = $1', [instanceId]);
          if (!row || row.status !== 'active') return undefined;
          const applied: DeadlineChange[] = [];
          for (const c of changes) {
            const moved = await tx.run(
              `UPDATE timers SET due_at = $1, provisional = $2 WHERE id = $3 AND status = 'pending' AND due_at = $4 AND provisional = $5`,
              [c.newDueAt, c.provisional ? 1 : 0, c.timerId, c.oldDueAt, c.wasProvisional ? 1 : 0],
            );
            if (moved === 1) applied.push(c);
          }
          if (applied.length === 0) return undefined;
          const seq = Number(row.audit_seq) + 1;
          const at = this.clock.now().toISOString();
          const record: AuditRecord = {
            instanceId,
            seq,
            eventType: DEADLINES_RECOMPUTED_EVENT,
            payload: JSON.stringify({ reason: reason.zh, reasonEn: reason.en, changes: applied }),
            actor: SYSTEM_ACTOR.id,
            actorRoles: JSON.stringify(SYSTEM_ACTOR.roles),
            actorAttributes: null,
            fromState: row.state,
            toState: row.state,
            definitionVersionId: row.definition_version_id,
            at,
            prevHash: row.audit_head,
            cause: JSON.stringify({ kind: 'calendar', fingerprint: this.calendar.fingerprint() }),
            effects: JSON.stringify({
              effects: [],
              timers: applied.map((c) => auditedTimer({ id: c.timerId, deadline: c.deadline, event: c.event, dueAt: c.newDueAt, provisional: c.provisional })),
            }),
          };
          const hash = auditHash(record);
          const bumped = await tx.run('UPDATE instances SET version = version + 1, audit_seq = $1, audit_head = $2 WHERE id = $3 AND version = $4', [
            seq,
            hash,
            instanceId,
            Number(row.version),
          ]);
          if (bumped !== 1) throw new AppError(ErrorCode.VersionConflict, `instance ${instanceId} changed while its deadlines were recomputed`);
          await insertAuditEntry(tx, record, hash);
          return seq;
        });
      } catch (err) {
        const retryable = (err instanceof AppError && err.code === ErrorCode.VersionConflict) || this.db.isUniqueViolation(err);
        if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  private async recordChange(latest: CalendarRevision | undefined, trigger: string, actor: string): Promise<CalendarRevision> {
    const reason = describeChange(latest?.officialYears, this.calendar.yearsWithData());
    const report = await this.recompute(reason);
    if (report.changed > 0) this.logger.log(`${reason.en}: ${report.changed} deadline(s) recomputed on ${report.instances.length} instance(s)`);
    return this.insertRevision(trigger, actor, reason.zh, report.changed);
  }

  private async insertRevision(trigger: string, actor: string, reason: string, changed: number): Promise<CalendarRevision> {
    const row: RevisionRow = {
      id: this.ids.uuid(),
      fingerprint: this.calendar.fingerprint(),
      official_years: JSON.stringify(this.calendar.yearsWithData()),
      official_through: this.calendar.officialThrough() ?? null,
      trigger,
      actor,
      reason,
      changed,
      at: this.clock.now().toISOString(),
    };
    await this.db.transaction((tx) =>
      tx.run(
        `INSERT INTO calendar_revisions (id, fingerprint, official_years, official_through, trigger, actor, reason, changed, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [row.id, row.fingerprint, row.official_years, row.official_through, row.trigger, row.actor, row.reason, row.changed, row.at],
      ),
    );
    return toRevision(row);
  }

  private async latestRevision(): Promise<CalendarRevision | undefined> {
    const [row] = await this.db.read((q) => q.rows<RevisionRow>('SELECT * FROM calendar_revisions ORDER BY at DESC, id DESC LIMIT 1'));
    return row ? toRevision(row) : undefined;
  }
}

/** Why deadlines were recomputed, for people (Chinese) and developers (English). */
export interface ChangeReason {
  readonly zh: string;
  readonly en: string;
}

/** The reason of a calendar change, from the years with official data before and after. */
export function describeChange(before: readonly number[] | undefined, after: readonly number[], fallbackZh?: string): ChangeReason {
  if (before) {
    const added = after.filter((y) => !before.includes(y));
    const removed = before.filter((y) => !after.includes(y));
    if (added.length) return { zh: `${added.join('、')}年官方节假日安排已导入`, en: `${added.join(', ')} official calendar imported` };
    if (removed.length) {
      return {
        zh: `${removed.join('、')}年官方节假日数据已移除，改按法定节假日暂定`,
        en: `${removed.join(', ')} official calendar removed; provisional rule applies`,
      };
    }
  }
  return { zh: fallbackZh ?? '业务日历数据已更新', en: 'business calendar data changed' };
}
