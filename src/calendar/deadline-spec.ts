/**
 * Deadline phrases written by process owners in the YAML, and when they fall due.
 *
 * Forms accepted by `parseDeadline` (case-insensitive; the `after:` / `at:` prefix is
 * optional, but if written it must match the form):
 *
 *   after: 3 working days      end of the 3rd working day after today (see business-calendar.ts)
 *   after: 7 days              7 calendar days later, same local wall time
 *   after: 2 hours             elapsed time: exactly 2 h later
 *   after: 30 minutes          elapsed time: exactly 30 min later
 *   at: end of day             end of working hours today (or at once if already past)
 *   after: rules.replyWithin   a rule reference: the caller resolves it to a phrase such as
 *                              '3 working days' (or a number, read as calendar days)
 *   at: context.pause.endsAt   a context path: the caller resolves it to an ISO instant
 *                              (with Z or an offset) or a date YYYY-MM-DD, read as the end of
 *                              that day (the calendar's endOfDay, 18:00 by default, in its zone)
 *   every day at 09:00
 *   every working day at 09:00
 *   every week on monday at 09:00      (also 'every monday at 09:00')
 *   every month on day 1 at 09:00      day 29–31 fall on the last day of shorter months
 *   every month on the last day at 09:00
 *   every month on working day 1 at 09:00   the N-th working day of the month
 *   every 3 months on day 1 at 09:00   also 'every quarter …', 'every half year …', 'every year …':
 *                                      months counted from January (3: Jan, Apr, Jul, Oct)
 *
 * Chinese shorthands are read too: '3个工作日', '7天', '2小时', '30分钟', '当天'.
 * Recurring times are wall-clock times in the calendar's time zone; `nextOccurrence` returns
 * the first occurrence strictly after the given moment.
 */
import { AppError, ErrorCode } from '../common/app-error';
import { BusinessCalendar } from './business-calendar';
import { addLocalDays, daysInMonth, formatDate, isLocalDate, parseLocalDate, parseLocalTime, weekdayOf, zonedInstant } from './zoned-time.util';

export interface WorkingDaysSpec {
  readonly kind: 'workingDays';
  readonly count: number;
}
export interface DaysSpec {
  readonly kind: 'days';
  readonly count: number;
}
export interface HoursSpec {
  readonly kind: 'hours';
  readonly count: number;
}
export interface MinutesSpec {
  readonly kind: 'minutes';
  readonly count: number;
}
export interface EndOfDaySpec {
  readonly kind: 'endOfDay';
}
/** `after: rules.<name>`: resolved by the caller to a phrase or a number of calendar days. */
export interface RuleRefSpec {
  readonly kind: 'rule';
  readonly name: string;
}
/** `at: context.<path>`: resolved by the caller to an instant. */
export interface ContextRefSpec {
  readonly kind: 'context';
  /** Dotted path relative to the context, e.g. `pause.endsAt`. */
  readonly path: string;
}

export type RecurringSpec =
  | { readonly kind: 'every'; readonly period: 'day'; readonly time: string }
  | { readonly kind: 'every'; readonly period: 'workingDay'; readonly time: string }
  | { readonly kind: 'every'; readonly period: 'week'; readonly weekday: number; readonly time: string }
  | { readonly kind: 'every'; readonly period: 'month'; readonly day: number | 'last'; readonly time: string; readonly everyMonths?: MonthStep }
  | { readonly kind: 'every'; readonly period: 'monthWorkingDay'; readonly workingDay: number; readonly time: string; readonly everyMonths?: MonthStep };

/**
 * Every how many months a monthly schedule runs (`every 3 months on day 1`, `every quarter on
 * day 1`, `every half year on day 1`): a divisor of 12, counted from January, so 3 runs in
 * January, April, July and October and 6 in January and July. Absent means every month.
 */
export type MonthStep = 2 | 3 | 4 | 6 | 12;
const MONTH_STEPS: Record<string, MonthStep> = { quarter: 3, 'half year': 6, 'half-year': 6, year: 12 };

export type DurationSpec = WorkingDaysSpec | DaysSpec | HoursSpec | MinutesSpec;
export type DeadlineReference = RuleRefSpec | ContextRefSpec;
export type DeadlineSpec = DurationSpec | EndOfDaySpec | DeadlineReference | RecurringSpec;

export type ParseDeadlineResult = { readonly ok: true; readonly spec: DeadlineSpec } | { readonly ok: false; readonly error: string };

/** Resolves a rule or context reference to its current value. */
export type DeadlineResolver = (ref: DeadlineReference) => unknown;

const EXAMPLES =
  "write e.g. '3 working days', '7 days', '2 hours', '30 minutes', 'end of day', 'rules.replyWithin', 'context.pause.endsAt' or 'every day at 09:00'";

const WEEKDAYS: Record<string, number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const RULE_RE = new RegExp(`^rules\\.(${IDENT})$`);
const CONTEXT_RE = new RegExp(`^context\\.(${IDENT}(?:\\.${IDENT})*)$`);

/**
 * Reads a deadline phrase. Never throws: returns the typed spec, or an error message a
 * process owner can act on (the definition loader adds file, line and column).
 */
export function parseDeadline(text: string): ParseDeadlineResult {
  if (typeof text !== 'string') return fail(`cannot read ${JSON.stringify(text)}: ${EXAMPLES}`);
  const original = text.trim();
  let body = original.replace(/\s+/g, ' ');
  let keyword: 'after' | 'at' | undefined;
  const prefix = /^(after|at)\s*:?\s+(.*)$/i.exec(body) ?? /^(after|at)\s*:\s*(.*)$/i.exec(body);
  if (prefix) {
    keyword = prefix[1].toLowerCase() as 'after' | 'at';
    body = prefix[2].trim();
  }
  if (body === '') return fail(`the deadline is empty: ${EXAMPLES}`);

  const spec = parseBody(body);
  if (!spec) return fail(`cannot read '${original}': ${EXAMPLES}`);
  if (typeof spec === 'string') return fail(spec);

  if (keyword) {
    const expected = expectedKeyword(spec);
    if (expected === undefined) {
      return fail(`'${original}': a recurring deadline starts with 'every', without '${keyword}:'`);
    }
    if (expected !== keyword) return fail(`'${original}': write '${expected}: ${body}'`);
  }
  return { ok: true, spec };
}

/** Like `parseDeadline`, but throws a `DefinitionInvalid` AppError. */
export function parseDeadlineOrThrow(text: string): DeadlineSpec {
  const r = parseDeadline(text);
  if (!r.ok) throw new AppError(ErrorCode.DefinitionInvalid, r.error, { deadline: text });
  return r.spec;
}

function expectedKeyword(spec: DeadlineSpec): 'after' | 'at' | undefined {
  switch (spec.kind) {
    case 'workingDays':
    case 'days':
    case 'hours':
    case 'minutes':
    case 'rule':
      return 'after';
    case 'endOfDay':
    case 'context':
      return 'at';
    case 'every':
      return undefined;
  }
}

function fail(error: string): ParseDeadlineResult {
  return { ok: false, error };
}

/** Returns the spec, an error message (string), or undefined when nothing matched. */
function parseBody(body: string): DeadlineSpec | string | undefined {
  const lower = body.toLowerCase();
  let m: RegExpExecArray | null;

  if ((m = /^(\d+) working days?$/.exec(lower)) || (m = /^(\d+) ?个?工作日$/.exec(body))) {
    return { kind: 'workingDays', count: Number(m[1]) };
  }
  if ((m = /^(\d+) (?:calendar )?days?$/.exec(lower)) || (m = /^(\d+) ?(?:天|日)$/.exec(body))) {
    return { kind: 'days', count: Number(m[1]) };
  }
  if ((m = /^(\d+) hours?$/.exec(lower)) || (m = /^(\d+) ?(?:个)?小时$/.exec(body))) {
    return { kind: 'hours', count: Number(m[1]) };
  }
  if ((m = /^(\d+) minutes?$/.exec(lower)) || (m = /^(\d+) ?分钟$/.exec(body))) {
    return { kind: 'minutes', count: Number(m[1]) };
  }
  if (lower === 'end of day' || lower === 'end of the day' || body === '当天' || body === '当日') {
    return { kind: 'endOfDay' };
  }
  if ((m = RULE_RE.exec(body))) return { kind: 'rule', name: m[1] };
  if ((m = CONTEXT_RE.exec(body))) return { kind: 'context', path: m[1] };
  if (lower.startsWith('every ')) return parseRecurring(body, lower);
  if (/^(rules|context)\b/.test(lower)) {
    return `cannot read '${body}': a reference is written 'rules.<name>' or 'context.<field>.<field>' (letters, digits, _)`;
  }
  return undefined;
}

const EVERY_EXAMPLES = "write e.g. 'every day at 09:00', 'every working day at 09:00', 'every week on monday at 09:00' or 'every month on day 1 at 09:00'";

function parseRecurring(body: string, lower: string): RecurringSpec | string {
  const timeMatch = / at (\d{1,2}:\d{2})$/.exec(lower);
  if (!timeMatch) return `'${body}' needs a time: ${EVERY_EXAMPLES}`;
  const time = timeMatch[1].padStart(5, '0');
  try {
    parseLocalTime(time);
  } catch {
    return `'${body}': '${timeMatch[1]}' is not a time of day (HH:mm, 00:00–23:59)`;
  }
  const what = lower.slice('every '.length, timeMatch.index).trim();
  let m: RegExpExecArray | null;
  if (what === 'day') return { kind: 'every', period: 'day', time };
  if (what === 'working day' || what === 'workday') return { kind: 'every', period: 'workingDay', time };
  if ((m = /^(?:week on )?(\w+?)s?$/.exec(what)) && m[1] in WEEKDAYS) {
    return { kind: 'every', period: 'week', weekday: WEEKDAYS[m[1]], time };
  }
  if (what.startsWith('week')) return `'${body}': name the weekday, e.g. 'every week on monday at 09:00'`;
  const months = /^(month|(\d{1,2}) months|quarter|half[ -]year|year) on (.*)$/.exec(what);
  if (months) {
    let step: MonthStep | undefined;
    if (months[2] !== undefined) {
      const n = Number(months[2]);
      if (![1, 2, 3, 4, 6, 12].includes(n)) return `'${body}': a schedule every N months needs N = 1, 2, 3, 4, 6 or 12 (months counted from January)`;
      step = n === 1 ? undefined : (n as MonthStep);
    } else if (months[1] !== 'month') {
      step = MONTH_STEPS[months[1]];
    }
    const on = months[3];
    const every = step === undefined ? {} : { everyMonths: step };
    if ((m = /^(?:the )?day (\d{1,2})$/.exec(on))) {
      const day = Number(m[1]);
      if (day < 1 || day > 31) return `'${body}': the day of the month must be 1–31`;
      return { kind: 'every', period: 'month', day, time, ...every };
    }
    if (/^(?:the )?last day$/.test(on)) return { kind: 'every', period: 'month', day: 'last', time, ...every };
    if ((m = /^(?:the )?working day (\d{1,2})$/.exec(on))) {
      const n = Number(m[1]);
      if (n < 1 || n > 23) return `'${body}': the working day of the month must be 1–23`;
      return { kind: 'every', period: 'monthWorkingDay', workingDay: n, time, ...every };
    }
  }
  return `cannot read '${body}': ${EVERY_EXAMPLES}`;
}

/**
 * When a deadline falls due, counted from `from` (the moment the timer is set).
 * References are resolved through `resolve`; a recurring spec gives its next occurrence.
 */
export function dueAt(spec: DeadlineSpec, from: Date, calendar: BusinessCalendar, resolve: DeadlineResolver): Date {
  switch (spec.kind) {
    case 'workingDays':
      return calendar.addWorkingDays(from, spec.count);
    case 'days':
      return calendar.addDays(from, spec.count);
    case 'hours':
      return new Date(from.getTime() + spec.count * 3_600_000);
    case 'minutes':
      return new Date(from.getTime() + spec.count * 60_000);
    case 'endOfDay':
      return calendar.endOfDay(from);
    case 'every':
      return nextOccurrence(spec, from, calendar);
    case 'rule':
      return dueAt(resolveRule(spec, resolve(spec)), from, calendar, resolve);
    case 'context':
      return resolveInstant(spec, resolve(spec), calendar);
  }
}

function resolveRule(ref: RuleRefSpec, value: unknown): DeadlineSpec {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new AppError(
        ErrorCode.DefinitionInvalid,
        `rule '${ref.name}' is ${value}: a deadline rule needs a whole number of days ≥ 0 or a phrase such as '3 working days'`,
        { rule: ref.name },
      );
    }
    return { kind: 'days', count: value };
  }
  if (typeof value !== 'string') {
    throw new AppError(
      ErrorCode.DefinitionInvalid,
      `rule '${ref.name}' is ${value === undefined ? 'not defined' : JSON.stringify(value)}: a deadline rule must be a phrase such as '3 working days' or a number of days`,
      { rule: ref.name },
    );
  }
  const parsed = parseDeadline(value);
  if (!parsed.ok) throw new AppError(ErrorCode.DefinitionInvalid, `rule '${ref.name}': ${parsed.error}`, { rule: ref.name });
  if (parsed.spec.kind === 'rule' || parsed.spec.kind === 'context') {
    throw new AppError(ErrorCode.DefinitionInvalid, `rule '${ref.name}' is '${value}': a deadline rule must be a phrase, not another reference`, {
      rule: ref.name,
    });
  }
  return parsed.spec;
}

function resolveInstant(ref: ContextRefSpec, value: unknown, calendar: BusinessCalendar): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'string') {
    if (isLocalDate(value)) return calendar.endOfLocalDay(value);
    // Only instants that say their offset: a bare date-time would depend on the server's zone.
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
      const t = Date.parse(value);
      if (!Number.isNaN(t)) return new Date(t);
    }
  }
  const shown = value === undefined || value === null ? 'empty' : JSON.stringify(value);
  throw new AppError(
    ErrorCode.ExpressionFailed,
    `deadline 'at: context.${ref.path}': the value is ${shown}; it must be an ISO instant such as 2026-03-31T18:00:00+08:00 or a date such as 2026-03-31`,
    { path: ref.path },
  );
}

/** The first occurrence of a recurring deadline strictly after `after`, in the calendar's zone. */
export function nextOccurrence(spec: RecurringSpec, after: Date, calendar: BusinessCalendar): Date {
  const time = parseLocalTime(spec.time);
  const at = (date: string): Date => zonedInstant(date, time, calendar.timeZone);
  const today = calendar.localDate(after);
  const isLater = (d: Date): boolean => d.getTime() > after.getTime();

  switch (spec.period) {
    case 'day':
    case 'workingDay':
    case 'week': {
      // At most ~a week (plus holidays for working days) is scanned; the calendar bounds it.
      for (let date = today, i = 0; i < 400; date = addLocalDays(date, 1), i++) {
        if (spec.period === 'week' && weekdayOf(date) !== spec.weekday) continue;
        if (spec.period === 'workingDay' && !calendar.isWorkingDay(date)) continue;
        const candidate = at(date);
        if (isLater(candidate)) return candidate;
      }
      break;
    }
    case 'month':
    case 'monthWorkingDay': {
      let { year, month } = parseLocalDate(today);
      for (let i = 0; i < 36; i++) {
        if (spec.everyMonths !== undefined && (month - 1) % spec.everyMonths !== 0) {
          month += 1;
          if (month > 12) {
            month = 1;
            year += 1;
          }
          continue;
        }
        const date =
          spec.period === 'month'
            ? formatDate(year, month, spec.day === 'last' ? daysInMonth(year, month) : Math.min(spec.day, daysInMonth(year, month)))
            : nthWorkingDayOfMonth(calendar, year, month, spec.workingDay);
        if (date !== undefined) {
          const candidate = at(date);
          if (isLater(candidate)) return candidate;
        }
        month += 1;
        if (month > 12) {
          month = 1;
          year += 1;
        }
      }
      break;
    }
  }
  throw new RangeError(`no occurrence of ${JSON.stringify(spec)} found after ${after.toISOString()}`);
}

function nthWorkingDayOfMonth(calendar: BusinessCalendar, year: number, month: number, n: number): string | undefined {
  let seen = 0;
  for (let day = 1; day <= daysInMonth(year, month); day++) {
    const date = formatDate(year, month, day);
    if (calendar.isWorkingDay(date) && ++seen === n) return date;
  }
  return undefined;
}

/** Renders a spec back into the canonical phrase (for messages and the UI). */
export function describeDeadline(spec: DeadlineSpec): string {
  switch (spec.kind) {
    case 'workingDays':
      return `after: ${spec.count} working day${spec.count === 1 ? '' : 's'}`;
    case 'days':
      return `after: ${spec.count} day${spec.count === 1 ? '' : 's'}`;
    case 'hours':
      return `after: ${spec.count} hour${spec.count === 1 ? '' : 's'}`;
    case 'minutes':
      return `after: ${spec.count} minute${spec.count === 1 ? '' : 's'}`;
    case 'endOfDay':
      return 'at: end of day';
    case 'rule':
      return `after: rules.${spec.name}`;
    case 'context':
      return `at: context.${spec.path}`;
    case 'every':
      switch (spec.period) {
        case 'day':
          return `every day at ${spec.time}`;
        case 'workingDay':
          return `every working day at ${spec.time}`;
        case 'week':
          return `every week on ${Object.keys(WEEKDAYS)[spec.weekday]} at ${spec.time}`;
        case 'month':
          return `every ${monthsPhrase(spec.everyMonths)} on ${spec.day === 'last' ? 'the last day' : `day ${spec.day}`} at ${spec.time}`;
        case 'monthWorkingDay':
          return `every ${monthsPhrase(spec.everyMonths)} on working day ${spec.workingDay} at ${spec.time}`;
      }
  }
}

function monthsPhrase(step: MonthStep | undefined): string {
  return step === undefined ? 'month' : `${step} months`;
}

/**
 * What a due time that depends on the holiday calendar was computed from ("3 working days
 * from 2026-12-30T02:00Z", rule references already resolved): kept with the timer so the
 * engine can compute it again when the calendar's data changes.
 */
export interface CalendarBasis {
  readonly spec: WorkingDaysSpec | RecurringSpec;
  /** ISO instant the deadline counts from. */
  readonly from: string;
}

/** A due time, and whether it rests on provisional calendar data (a year without official data). */
export interface DueTime {
  readonly dueAt: Date;
  /** Set when the due time depends on which days are working days. */
  readonly basis?: CalendarBasis;
  readonly provisional: boolean;
}

const HOLIDAY_DEPENDENT_PERIODS = new Set(['workingDay', 'monthWorkingDay']);

/**
 * `dueAt` with its basis: a due time that counts working days is `provisional` when any
 * year from its start to its end has no official holiday data.
 */
export function dueTime(spec: DeadlineSpec, from: Date, calendar: BusinessCalendar, resolve: DeadlineResolver): DueTime {
  const concrete = spec.kind === 'rule' ? resolveRule(spec, resolve(spec)) : spec;
  const due = dueAt(concrete, from, calendar, resolve);
  const dependent = concrete.kind === 'workingDays' || (concrete.kind === 'every' && HOLIDAY_DEPENDENT_PERIODS.has(concrete.period));
  if (!dependent) return { dueAt: due, provisional: false };
  return {
    dueAt: due,
    basis: { spec: concrete as WorkingDaysSpec | RecurringSpec, from: from.toISOString() },
    provisional: calendar.provisionalWithin(calendar.localDate(from), calendar.localDate(due)),
  };
}

/** The due time of a basis under the calendar's current data (see `CalendarBasis`). */
export function recomputeDue(basis: CalendarBasis, calendar: BusinessCalendar): DueTime {
  return dueTime(basis.spec, new Date(basis.from), calendar, () => undefined);
}
