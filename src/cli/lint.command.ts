/** `wf lint [FILE...]`: lint findings as `file:line:col [rule] message` (exit 0 unless a file fails to load). */
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDefinitionFile } from '../definitions/definition-loader';
import { createProcessFunctions } from '../processes';
import { BusinessCalendar } from '../calendar/business-calendar';
import { calendarWarning } from '../calendar/calendar-horizon';
import { loadCalendarFile } from '../calendar/calendar-file';
import { templatesIn, type CliIo } from './cli-io';

export function registerLintCommand(program: Command, io: CliIo): void {
  program
    .command('lint')
    .description('warn about unreachable states, dead ends and events no role may send (default: every file in definitions/)')
    .argument('[files...]', 'YAML definition files')
    .option('--templates <dir>', 'folder of Handlebars templates (<name>.hbs)', 'templates')
    .option('--calendar <file>', 'business calendar file whose official-data horizon is checked', 'definitions/calendar/calendar.yaml')
    .option('--calendar-warn-days <n>', 'warn this many days before official holiday data ends', '60')
    .action((files: string[], opts: { templates: string; calendar: string; calendarWarnDays: string }) => {
      const templates = templatesIn(opts.templates, io);
      const targets =
        files.length > 0
          ? files
          : readdirSync(resolve(io.cwd, 'definitions'))
              .filter((f) => /\.ya?ml$/i.test(f))
              .sort()
              .map((f) => join('definitions', f));
      let count = 0;
      for (const file of targets) {
        const result = loadDefinitionFile(resolve(io.cwd, file), { file, templates, functions: createProcessFunctions() });
        if (!result.ok) {
          for (const e of result.errors) io.out(`${e.file}:${e.line}:${e.column} [error] ${e.message}`);
          io.exitCode = 1;
          continue;
        }
        for (const f of result.findings) io.out(`${f.file}:${f.line}:${f.column} [${f.rule}] ${f.message}`);
        count += result.findings.length;
      }
      count += lintCalendar(io, opts.calendar, Number(opts.calendarWarnDays));
      io.err(`${count} finding${count === 1 ? '' : 's'} in ${targets.length} file${targets.length === 1 ? '' : 's'}`);
    });
}

/** The calendar's horizon as a finding: official holiday data ends within the warning window. */
function lintCalendar(io: CliIo, file: string, warnDays: number): number {
  const path = resolve(io.cwd, file);
  let calendar: BusinessCalendar;
  try {
    calendar = new BusinessCalendar(existsSync(path) ? loadCalendarFile(path) : {});
  } catch (err) {
    io.out(`${file}:1:1 [error] ${(err as Error).message}`);
    io.exitCode = 1;
    return 0;
  }
  const warning = calendarWarning({ calendar, now: io.now?.() ?? new Date(), warnDays: Number.isFinite(warnDays) ? warnDays : 60 });
  if (!warning) return 0;
  io.out(`${file}:1:1 [calendar-horizon] ${warning.message}`);
  return 1;
}
