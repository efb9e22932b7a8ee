/**
 * The company calendar file (YAML), e.g. `test/fixtures/calendar/company.yaml`:
 *
 *   timeZone: Asia/Shanghai      # IANA name, default Asia/Shanghai
 *   endOfDay: "18:00"            # HH:mm, default 18:00 (quoting is safest across YAML versions)
 *   closures:                    # company days off, on top of the official holidays
 *     - { date: 2026-06-30, title: 公司年中盘点 }
 *   extraWorkingDays:            # company working days on a weekend or holiday
 *     - { date: 2026-03-07, title: 业主开放日 }
 *   officialYears:               # official data for a year chinese-days does not know yet
 *     - year: 2027
 *       holidays: [{ date: 2027-01-01, title: 元旦 }]
 *       workingDays: [{ date: 2027-02-20, title: 春节调休 }]
 *
 * Validated with ajv; every error names the file, line and column, and the whole file is
 * refused when anything is wrong.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { AppError, ErrorCode } from '../common/app-error';
import type { BusinessCalendarConfig } from './business-calendar';
import { BusinessCalendar } from './business-calendar';
import { assertTimeZone, isLocalDate } from './zoned-time.util';
import { isRecord } from '../common/objects.util';
import { pointerSegments } from '../definitions/json-schema.util';

export interface CalendarFileProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path into the YAML, e.g. `closures.1.date`. */
  readonly path: string;
  readonly message: string;
}

const dayEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['date', 'title'],
  properties: {
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    title: { type: 'string', minLength: 1 },
  },
} as const;

/** JSON Schema of the calendar file. */
export const CALENDAR_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeZone: { type: 'string', minLength: 1 },
    endOfDay: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
    closures: { type: 'array', items: dayEntry },
    extraWorkingDays: { type: 'array', items: dayEntry },
    officialYears: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['year', 'holidays', 'workingDays'],
        properties: {
          year: { type: 'integer', minimum: 2000, maximum: 2200 },
          holidays: { type: 'array', items: dayEntry, minItems: 1 },
          workingDays: { type: 'array', items: dayEntry },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(CALENDAR_FILE_SCHEMA);

/** Reads and validates a calendar file; throws `CalendarInvalid` listing every problem. */
export function loadCalendarFile(path: string): BusinessCalendarConfig {
  return parseCalendarFile(readFileSync(path, 'utf8'), path);
}

/** Loads a calendar file straight into a `BusinessCalendar`. */
export function loadBusinessCalendar(path: string): BusinessCalendar {
  return new BusinessCalendar(loadCalendarFile(path));
}

/** Parses and validates calendar YAML text; `file` is only used in messages. */
export function parseCalendarFile(text: string, file = 'calendar.yaml'): BusinessCalendarConfig {
  const lineCounter = new LineCounter();
  // Dates stay strings: the core schema (YAML 1.2) has no timestamp type.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, schema: 'core', uniqueKeys: true });
  const problems: CalendarFileProblem[] = [];
  const at = (offset: number | undefined, path: string, message: string): void => {
    const pos = lineCounter.linePos(offset ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, path, message });
  };

  for (const e of doc.errors) at(e.pos[0], '', e.message.split('\n')[0]);
  if (problems.length) throw invalid(file, problems);

  const data: unknown = doc.toJS() ?? {};
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const path = pointerToPath(e.instancePath, e);
      at(nodeAt(doc, path, e.keyword === 'additionalProperties')?.range?.[0], path.join('.'), describe(e, path));
    }
  }

  // Checks the schema cannot express; written defensively as the shape may be wrong too.
  const config = (isRecord(data) ? data : {}) as Record<string, unknown>;
  if (typeof config.timeZone === 'string') {
    try {
      assertTimeZone(config.timeZone);
    } catch (err) {
      at(nodeAt(doc, ['timeZone'])?.range?.[0], 'timeZone', (err as Error).message);
    }
  }
  const seen = new Map<string, string>();
  const checkDays = (entries: unknown, path: string[], year?: number): void => {
    if (!Array.isArray(entries)) return;
    entries.forEach((d, i) => {
      if (!isRecord(d) || typeof d.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d.date)) return;
      const p = [...path, String(i), 'date'];
      const where = nodeAt(doc, p)?.range?.[0];
      if (!isLocalDate(d.date)) at(where, p.join('.'), `'${d.date}' is not a calendar date`);
      else if (year !== undefined && !d.date.startsWith(`${year}-`)) at(where, p.join('.'), `'${d.date}' is not in ${year}`);
      if (year !== undefined) return;
      const other = seen.get(d.date);
      if (other && other !== path[0]) at(where, p.join('.'), `${d.date} is listed both in ${other} and in ${path[0]}: keep only one`);
      seen.set(d.date, path[0]);
    });
  };
  checkDays(config.closures, ['closures']);
  checkDays(config.extraWorkingDays, ['extraWorkingDays']);
  if (Array.isArray(config.officialYears)) {
    config.officialYears.forEach((y, i) => {
      if (!isRecord(y) || typeof y.year !== 'number') return;
      checkDays(y.holidays, ['officialYears', String(i), 'holidays'], y.year);
      checkDays(y.workingDays, ['officialYears', String(i), 'workingDays'], y.year);
    });
  }
  if (problems.length) throw invalid(file, problems);
  return config as BusinessCalendarConfig;
}

function invalid(file: string, problems: CalendarFileProblem[]): AppError {
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.column}${p.path ? ` (${p.path})` : ''}: ${p.message}`);
  return new AppError(ErrorCode.CalendarInvalid, `calendar file ${file} has ${problems.length} error(s):\n${lines.join('\n')}`, {
    errors: problems,
  });
}

function pointerToPath(pointer: string, e: ErrorObject): string[] {
  const path = pointerSegments(pointer);
  if (e.keyword === 'additionalProperties') path.push(String((e.params as { additionalProperty: string }).additionalProperty));
  return path;
}

function describe(e: ErrorObject, path: string[]): string {
  const field = path.length ? `'${path[path.length - 1]}'` : 'the file';
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key ${field}: allowed keys are ${allowedKeys(path)}`;
    case 'required':
      return `missing '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'pattern':
      if (path[path.length - 1] === 'endOfDay') return `endOfDay must be HH:mm in quotes, e.g. "18:00"`;
      return `${field} must be a date YYYY-MM-DD, e.g. 2026-10-01`;
    case 'type':
      return `${field} must be ${(e.params as { type: string }).type === 'array' ? 'a list' : `a ${(e.params as { type: string }).type}`}`;
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}

function allowedKeys(path: string[]): string {
  const parent = path.slice(0, -1).filter((p) => !/^\d+$/.test(p));
  if (parent.length === 0) return 'timeZone, endOfDay, closures, extraWorkingDays, officialYears';
  if (parent.length === 1 && parent[0] === 'officialYears') return 'year, holidays, workingDays';
  return 'date, title';
}

/** The YAML node at a path (falling back to the nearest existing ancestor). */
function nodeAt(doc: Document, path: string[], atKey = false): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) break;
      const last = i === path.length - 1;
      node = last && atKey ? pair.key : (pair.value ?? pair.key);
      found = node as Node;
    } else if (isSeq(node)) {
      node = node.items[Number(key)];
      if (!node) break;
      found = node as Node;
    } else {
      break;
    }
  }
  return found;
}
