/**
 * `wf calendar import FILE [--calendar PATH] [--year N] [--dry-run]`: reads the State
 * Council's holiday notice (its text saved to FILE, UTF-8) and writes the year into the
 * calendar file's `officialYears`. It prints, in Chinese for the process owner, what it
 * understood (each holiday block, each adjusted working day), every line it did not use, and
 * every problem as `file:line:column`; on any problem it exits 1 and writes nothing. It also
 * says how the year relates to the data bundled in chinese-days, which the service merges
 * with the file (see `calendar-file-update.ts`). The running service picks the file up on
 * restart or with `wf calendar reload`.
 */
import { readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import chineseDaysPackage from 'chinese-days/package.json';
import { AppError } from '../common/app-error';
import { loadConfig } from '../config/app-config';
import { compareWithOfficialSource, setOfficialYear, type SourceComparison } from '../calendar/calendar-file-update';
import { parseHolidayNotice, WEEKDAY_NAMES, type HolidayNotice, type IgnoredKind } from '../calendar/holiday-notice';
import { weekdayOf } from '../calendar/zoned-time.util';
import { calendarCommand } from './calendar.command';
import type { CliIo } from './cli-io';

const IGNORED_LABELS: Record<IgnoredKind, string> = {
  blank: '空行',
  title: '标题',
  'document-number': '文号',
  addressee: '主送单位',
  introduction: '引言',
  closing: '结尾',
  signature: '署名',
  date: '成文日期',
  advice: '倡议（不改变放假安排）',
  other: '其他',
};

export function registerCalendarImportCommand(program: Command, io: CliIo): void {
  calendarCommand(program)
    .command('import')
    .description("read the State Council's holiday notice (plain text) and write the year into the calendar file's officialYears")
    .argument('<file>', 'the notice as published (国务院办公厅关于YYYY年部分节假日安排的通知), saved as UTF-8 text')
    .option('--calendar <path>', "calendar file to write (default: the service's, WF_CALENDAR_FILE or definitions/calendar/calendar.yaml)")
    .option('--year <year>', 'the year of the notice, when its title is missing (must agree with the title otherwise)', parseYear)
    .option('--dry-run', 'show what would be written, write nothing')
    .action((file: string, opts: { calendar?: string; year?: number; dryRun?: boolean }) => {
      const fail = (...lines: string[]): void => {
        for (const line of lines) io.err(line);
        io.exitCode = 1;
      };
      const text = readText(resolve(io.cwd, file));
      if (text === undefined) return fail(`错误：读不到通知文件 ${file}`);
      if (text.includes('\uFFFD')) return fail(`错误：${file} 不是 UTF-8 编码的文本：请把通知另存为 UTF-8 后再导入`);
      const calendarPath = opts.calendar !== undefined ? resolve(io.cwd, opts.calendar) : loadConfig(process.env, io.cwd).calendarFile;
      if (calendarPath === undefined) return fail('错误：没有日历文件：用 --calendar PATH 指定，或设置 WF_CALENDAR_FILE');
      const calendarName = opts.calendar ?? displayPath(io.cwd, calendarPath);

      const notice = parseHolidayNotice(text, { year: opts.year });
      printNotice(io, file, notice);
      if (notice.problems.length > 0) {
        io.out('');
        io.out('问题：');
        for (const p of notice.problems) io.out(`  ${file}:${p.line}:${p.column} ${p.message}`);
        return fail(`发现 ${notice.problems.length} 个问题，${calendarName} 未修改：请对照通知原文改正 ${file} 后再运行。`);
      }
      const year = notice.year!;

      const current = readText(calendarPath);
      if (current === undefined) return fail(`错误：读不到日历文件 ${calendarName}`);
      let update: ReturnType<typeof setOfficialYear>;
      try {
        update = setOfficialYear({
          text: current,
          file: calendarName,
          year,
          holidays: notice.holidays,
          workingDays: notice.workingDays,
          comment: notice.title ?? `${year}年部分节假日安排（wf calendar import）`,
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return fail(`错误 ${err.code}：${err.message}`, `${calendarName} 未修改。`);
      }

      io.out('');
      for (const c of update.carried) {
        const dates = [...c.holidays, ...c.workingDays].map((d) => `${d.date}（${d.title}）`).join('、');
        io.out(
          c.created
            ? `${dates}属于${c.year}年：写入 officialYears 中新建的 ${c.year} 年条目，只含这些天；${c.year}年其余日期仍以 chinese-days 为准。`
            : `${dates}属于${c.year}年：写入 officialYears 中已有的 ${c.year} 年条目。`,
        );
      }
      printComparison(io, year, compareWithOfficialSource({ year, holidays: notice.holidays, workingDays: notice.workingDays }));
      const entry = `${update.replaced ? '替换' : '新增'} ${year} 年的条目（${notice.holidays.length} 个假日、${notice.workingDays.length} 个调休上班日）`;
      if (opts.dryRun) {
        io.out(`试运行（--dry-run）：会在 ${calendarName} 的 officialYears 中${entry}。这次没有写入；核对无误后，去掉 --dry-run 再运行一次。`);
        return;
      }
      // Readers see the old file or the new one, never half of it; a symlink stays a symlink.
      const target = realpathSync(calendarPath);
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, update.text, { encoding: 'utf8', mode: statSync(target).mode });
      renameSync(temporary, target);
      io.out(`已写入 ${calendarName}：在 officialYears 中${entry}。`);
      io.out('下一步：运行 npm run wf -- calendar reload，让运行中的服务读入新日历并重算未到期的期限（也可以重启服务）。');
    });
}

function printNotice(io: CliIo, file: string, notice: HolidayNotice): void {
  io.out(`读取 ${file}：${notice.title ?? '（没有标题行）'}${notice.year !== undefined ? `，${notice.year}年` : ''}`);
  if (notice.items.length > 0) {
    io.out('');
    io.out(`放假（共 ${notice.holidays.length} 天）：`);
    for (const item of notice.items) {
      for (const b of item.holidayBlocks) {
        const range = b.start === b.end ? withWeekday(b.start) : `${withWeekday(b.start)} 至 ${withWeekday(b.end)}`;
        io.out(`  第${b.line}行 ${item.numeral}、${item.title}：${range}，${b.dates.length}天`);
      }
    }
    io.out('');
    io.out(`调休上班（共 ${notice.workingDays.length} 天）：`);
    for (const item of notice.items) {
      for (const w of item.workingDays) io.out(`  第${w.line}行 ${item.title}调休：${withWeekday(w.date)}`);
    }
  }
  if (notice.ignored.length > 0) {
    io.out('');
    io.out('未使用的行（不含放假安排）：');
    for (const i of notice.ignored) {
      const text = i.text.length > 30 ? `${i.text.slice(0, 30)}…` : i.text;
      io.out(`  ${file}:${i.line}:${i.column} ${IGNORED_LABELS[i.kind]}${text ? `　${text}` : ''}`);
    }
  }
}

function printComparison(io: CliIo, year: number, c: SourceComparison): void {
  const pkg = `chinese-days ${chineseDaysPackage.version}`;
  if (!c.sourceHasYear) {
    io.out(`${pkg} 没有 ${year} 年的数据：${year} 年的期限将以日历文件中的这一条为准。`);
    return;
  }
  const differs = [c.onlyInNotice, c.onlyInSource].some((d) => d.holidays.length + d.workingDays.length > 0);
  if (!differs) {
    io.out(`${pkg} 已有 ${year} 年的官方数据，与通知一致。服务把两者合并，结果不变。`);
    return;
  }
  io.out(`注意：${pkg} 已有 ${year} 年的官方数据，与通知不一致。服务把两者合并：文件中的日期会加进去（同一天以文件中的名称为准），`);
  io.out('但文件去不掉 chinese-days 里的日期；同一天一边是假日、一边是调休上班日时，按上班算。');
  const list = (dates: readonly string[]): string => (dates.length ? dates.join('、') : '无');
  io.out(`  只在通知中：假日 ${list(c.onlyInNotice.holidays)}；调休上班 ${list(c.onlyInNotice.workingDays)}`);
  io.out(`  只在 chinese-days 中（仍然生效）：假日 ${list(c.onlyInSource.holidays)}；调休上班 ${list(c.onlyInSource.workingDays)}`);
  io.out('  如果通知无误，请让开发人员升级或修正 chinese-days。');
}

function withWeekday(date: string): string {
  return `${date}（${WEEKDAY_NAMES[weekdayOf(date)]}）`;
}

function parseYear(value: string): number {
  const year = Number(value);
  if (!Number.isInteger(year) || year < 2000 || year > 2200) throw new InvalidArgumentError('the year must be a whole number from 2000 to 2200');
  return year;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
