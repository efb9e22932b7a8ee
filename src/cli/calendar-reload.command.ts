/**
 * `wf calendar reload [--by NAME]`: applies the calendar file (e.g. after `wf calendar
 * import`) to the configured database (same WF_* environment as the service): every pending
 * deadline that counts working days is computed again under the file's data, each change an
 * audit entry `$deadlines.recomputed` on its instance by `system`, and the revision is
 * recorded with who reloaded. Running services notice the new revision within 30 seconds and
 * reload their own copy of the file. An invalid file is refused whole (file:line:column).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../common/app-error';
import { SystemClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { CalendarSync } from '../engine/calendar-sync';
import { Database } from '../persistence/database';
import { BusinessCalendar, type BusinessCalendarConfig } from '../calendar/business-calendar';
import { loadCalendarFile } from '../calendar/calendar-file';
import { chineseLocalTime } from '../calendar/local-time-text.util';
import { calendarCommand } from './calendar.command';
import type { CliIo } from './cli-io';

export function registerCalendarReloadCommand(program: Command, io: CliIo): void {
  calendarCommand(program)
    .command('reload')
    .description('apply the calendar file to the database: recompute pending deadlines (audited) and record the revision')
    .option('--by <name>', 'who reloads, recorded with the revision (default: cli:<your login>)')
    .action(async (opts: { by?: string }) => {
      const config = loadConfig(io.env ?? process.env, io.cwd);
      const load = (): BusinessCalendarConfig => (config.calendarFile ? loadCalendarFile(config.calendarFile) : {});
      let calendar: BusinessCalendar;
      try {
        calendar = new BusinessCalendar(load());
      } catch (err) {
        io.err(`错误：日历文件有误，未做任何更改。${err instanceof Error ? `\n${err.message}` : ''}`);
        io.exitCode = 1;
        return;
      }
      const db = await Database.open(config.database);
      try {
        const clock = io.now ? { now: () => io.now!() } : new SystemClock();
        const sync = new CalendarSync(db, calendar, clock, load, { warnDays: config.calendarWarnDays });
        const { revision, report, unchanged } = await sync.reload(opts.by ?? `cli:${safeLogin()}`, 'cli');
        const at = (iso: string) => chineseLocalTime(iso, { time: true, timeZone: calendar.timeZone });
        io.out(`业务日历已重新加载：${revision.reason}。官方节假日数据 ${revision.officialYears[0] ?? '—'}–${revision.officialYears.at(-1) ?? '—'} 年。`);
        io.out(
          unchanged && report.changed === 0
            ? '日历数据与上次相同，没有期限需要重算。'
            : `重算了 ${report.changed} 个期限，涉及 ${report.instances.length} 个案件（每项变更已记入该案件的审计记录）：`,
        );
        for (const i of report.instances) {
          for (const c of i.changes) {
            const mark = (p: boolean) => (p ? '（暂定）' : '');
            io.out(`  案件 ${i.instanceId} ${c.event}：${at(c.oldDueAt)}${mark(c.wasProvisional)} → ${at(c.newDueAt)}${mark(c.provisional)}`);
          }
        }
        const warning = sync.warning();
        if (warning) io.err(`提醒：${warning.message}`);
      } catch (err) {
        io.err(err instanceof AppError ? `错误：${err.message}` : String(err));
        io.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}

function safeLogin(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
