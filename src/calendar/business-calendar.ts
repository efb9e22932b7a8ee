/**
 * Business calendar: which local dates are working days, and deadline arithmetic on them.
 *
 * Conventions (the engine's deadlines rely on them; copy them into the docs):
 * - All wall-clock reasoning happens in the calendar's IANA time zone (default
 *   `Asia/Shanghai`), computed with `Intl`; the server's own time zone never matters.
 * - A working day is decided in this order: a company closure (`closures`) is never a working
 *   day; a company extra working day (`extraWorkingDays`) always is; then the official Chinese
 *   calendar from `chinese-days`: an adjusted working weekend (调休, e.g. Saturday 2026-02-14)
 *   is a working day, an official holiday (e.g. 2026-02-15..23) is not; otherwise Monday to
 *   Friday are working days.
 * - "N working days from a moment" ends at the end of the N-th working day strictly after the
 *   moment's local date, where "end" is the calendar's `endOfDay` time (default 18:00). The
 *   day of the moment itself never counts, whatever the hour and whether or not it is a working
 *   day: Friday 2026-02-13 10:00 + 3 working days = Wednesday 2026-02-25 18:00 (the working
 *   days are Sat 14, Tue 24, Wed 25). 0 working days = the end of the moment's local date if it
 *   is a working day, otherwise the end of the next working day.
 * - "End of day" is the `endOfDay` time of the moment's local date, whether or not that date is
 *   a working day (a complaint must be answered 当天, the same calendar day). If the moment is
 *   already past that time, the moment itself is returned: the deadline is due at once rather
 *   than pushed to tomorrow.
 * - "N days" are calendar days at the same local wall time (DST-safe in zones that have DST).
 * - `workingDaysBetween(a, b)` counts working days d with localDate(a) < d <= localDate(b), so
 *   `workingDaysBetween(t, addWorkingDays(t, n)) === n`; negative when b is before a.
 * - The calendar never runs out. A year for which neither the library nor the calendar file
 *   (`officialYears`) has official data follows the *provisional* statutory rule
 *   (statutory-holidays.ts: the holidays the law fixes, with make-up days, no adjusted working
 *   weekends). Every answer about such a date says `provisional: true`, so deadlines computed
 *   on it are marked provisional and recomputed when the official data arrives
 *   (`replaceData`, then the engine's deadline recomputation). Only a year outside
 *   1901–2199 is refused (`CalendarDataMissing`).
 */
import { createHash } from 'node:crypto';
import chineseDaysData from 'chinese-days/dist/chinese-days.json';
import { AppError, ErrorCode } from '../common/app-error';
import { statutoryHolidays } from './statutory-holidays';
import { addLocalDays, assertTimeZone, localDateOf, localParts, parseLocalDate, parseLocalTime, weekdayOf, zonedInstant } from './zoned-time.util';

/** One dated entry in a calendar: a closure, an extra working day, or an official day. */
export interface CalendarDay {
  readonly date: string; // YYYY-MM-DD
  readonly title: string;
}

/** Official holidays and adjusted working days of a year the library does not know yet. */
export interface OfficialYear {
  readonly year: number;
  readonly holidays: readonly CalendarDay[];
  readonly workingDays: readonly CalendarDay[];
}

export interface BusinessCalendarConfig {
  /** IANA time zone, default `Asia/Shanghai`. */
  readonly timeZone?: string;
  /** End of the working day, `HH:mm`, default `18:00`. */
  readonly endOfDay?: string;
  /** Company-specific days off. */
  readonly closures?: readonly CalendarDay[];
  /** Company-specific working days (e.g. a Saturday service day). */
  readonly extraWorkingDays?: readonly CalendarDay[];
  /** Official data for years chinese-days does not cover yet. */
  readonly officialYears?: readonly OfficialYear[];
}

/** The official Chinese calendar data: dates (YYYY-MM-DD) mapped to a description. */
export interface OfficialCalendarSource {
  readonly holidays: Readonly<Record<string, string>>;
  readonly workdays: Readonly<Record<string, string>>;
}

/**
 * The data bundled with chinese-days. Read as data rather than through its `isWorkday()`,
 * because in 1.5.7 that function misplaces dates by one day when the process runs in a time
 * zone west of UTC (it mixes UTC parsing with local-time reading, for strings and Dates alike).
 */
export const CHINESE_DAYS_SOURCE: OfficialCalendarSource = chineseDaysData as OfficialCalendarSource;

export type DayReason = 'closure' | 'extra-working-day' | 'adjusted-working-day' | 'holiday' | 'weekend' | 'weekday';

export interface DayInfo {
  readonly date: string;
  readonly working: boolean;
  readonly reason: DayReason;
  /** Name of the holiday, closure or adjusted day, when there is one. */
  readonly title?: string;
  /** True when the date's year has no official data and the statutory rule decided (see header). */
  readonly provisional: boolean;
}

/** Years the provisional rule can answer for (the lunar calendar's reliable range). */
const SUPPORTED_YEARS = { from: 1901, to: 2199 } as const;

const MAX_SCAN_DAYS = 3700;

export class BusinessCalendar {
  private data!: BusinessCalendarData;
  private endHour = 18;
  private endMinute = 0;
  private readonly provisionalYears = new Map<number, Map<string, string>>();

  constructor(config: BusinessCalendarConfig = {}, source: OfficialCalendarSource = CHINESE_DAYS_SOURCE) {
    this.replaceData(config, source);
  }

  /** IANA time zone of every wall-clock reasoning. */
  get timeZone(): string {
    return this.data.timeZone;
  }

  /** End of the working day, `HH:mm`. */
  get endOfDayTime(): string {
    return this.data.endOfDayTime;
  }

  /**
   * Replaces every day the calendar knows (time zone, end of day, official data, company days)
   * in place, e.g. when the calendar file gained a year: everything holding this calendar sees
   * the new data from the next question on. Throws, changing nothing, when the data is invalid.
   */
  replaceData(config: BusinessCalendarConfig = {}, source: OfficialCalendarSource = CHINESE_DAYS_SOURCE): void {
    const next = new BusinessCalendarData(config, source); // throws before anything changes
    this.data = next;
    ({ hour: this.endHour, minute: this.endMinute } = parseLocalTime(next.endOfDayTime));
    this.provisionalYears.clear();
  }

  /**
   * SHA-256 over every day and setting the calendar answers from: equal fingerprints answer
   * every question alike. The engine records it to notice that the calendar changed.
   */
  fingerprint(): string {
    return this.data.fingerprint;
  }

  /** The last date with official data (31 December of the newest covered year), if any. */
  officialThrough(): string | undefined {
    const years = this.yearsWithData();
    return years.length ? `${years[years.length - 1]}-12-31` : undefined;
  }

  /** True when the local date's year has no official data: the statutory rule decides it. */
  isProvisional(localDate: string): boolean {
    return !this.data.coveredYears.has(parseLocalDate(localDate).year);
  }

  /** True when any year from the first to the last local date (inclusive) lacks official data. */
  provisionalWithin(fromLocalDate: string, toLocalDate: string): boolean {
    const [a, b] = [parseLocalDate(fromLocalDate).year, parseLocalDate(toLocalDate).year].sort((x, y) => x - y);
    for (let y = a; y <= b; y++) if (!this.data.coveredYears.has(y)) return true;
    return false;
  }

  /** The holidays the provisional rule gives a year without official data, by date. */
  private provisionalHolidays(year: number): Map<string, string> {
    let days = this.provisionalYears.get(year);
    if (!days) {
      days = new Map(statutoryHolidays(year).map((d) => [d.date, d.title]));
      this.provisionalYears.set(year, days);
    }
    return days;
  }

  /** Years with official data (from chinese-days or the calendar file), ascending. */
  yearsWithData(): number[] {
    return [...this.data.coveredYears].sort((a, b) => a - b);
  }

  hasDataFor(year: number): boolean {
    return this.data.coveredYears.has(year);
  }

  /** Throws `CalendarDataMissing` for a year even the provisional rule cannot answer (outside 1901–2199). */
  assertDataFor(localDate: string): void {
    const year = parseLocalDate(localDate).year;
    if (this.data.coveredYears.has(year) || (year >= SUPPORTED_YEARS.from && year <= SUPPORTED_YEARS.to)) return;
    throw new AppError(ErrorCode.CalendarDataMissing, `the business calendar answers for ${SUPPORTED_YEARS.from}–${SUPPORTED_YEARS.to} only, not for ${year}`, {
      year,
      date: localDate,
      yearsWithData: this.yearsWithData(),
    });
  }

  /** Why a local date is or is not a working day; `provisional` when no official data decided it. */
  dayInfo(localDate: string): DayInfo {
    this.assertDataFor(localDate);
    const { closures, extraWorkingDays, adjustedWorkingDays, holidays } = this.data;
    const provisional = this.isProvisional(localDate);
    const closure = closures.get(localDate);
    if (closure !== undefined) return { date: localDate, working: false, reason: 'closure', title: closure, provisional };
    const extra = extraWorkingDays.get(localDate);
    if (extra !== undefined) return { date: localDate, working: true, reason: 'extra-working-day', title: extra, provisional };
    if (provisional) {
      const statutory = this.provisionalHolidays(parseLocalDate(localDate).year).get(localDate);
      if (statutory !== undefined) return { date: localDate, working: false, reason: 'holiday', title: statutory, provisional };
    } else {
      const adjusted = adjustedWorkingDays.get(localDate);
      if (adjusted !== undefined) {
        return { date: localDate, working: true, reason: 'adjusted-working-day', title: holidayName(adjusted), provisional };
      }
      const holiday = holidays.get(localDate);
      if (holiday !== undefined) return { date: localDate, working: false, reason: 'holiday', title: holidayName(holiday), provisional };
    }
    const weekday = weekdayOf(localDate);
    return weekday === 0 || weekday === 6
      ? { date: localDate, working: false, reason: 'weekend', provisional }
      : { date: localDate, working: true, reason: 'weekday', provisional };
  }

  isWorkingDay(localDate: string): boolean {
    return this.dayInfo(localDate).working;
  }

  /** The local date (YYYY-MM-DD) of an instant in the calendar's time zone. */
  localDate(instant: Date): string {
    return localDateOf(checkInstant(instant), this.timeZone);
  }

  /** The instant the working day ends on a local date (endOfDay time in the calendar's zone). */
  endOfLocalDay(localDate: string): Date {
    return zonedInstant(localDate, { hour: this.endHour, minute: this.endMinute }, this.timeZone);
  }

  /**
   * End of the working hours of the moment's local date; if the moment is already past that
   * time, the moment itself (due at once, never pushed to the next day).
   */
  endOfDay(from: Date): Date {
    const end = this.endOfLocalDay(this.localDate(from));
    return end.getTime() >= from.getTime() ? end : new Date(from.getTime());
  }

  /** The first working day strictly after a local date. */
  nextWorkingDay(localDate: string): string {
    let d = localDate;
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      d = addLocalDays(d, 1);
      if (this.isWorkingDay(d)) return d;
    }
    throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days after ${localDate}`);
  }

  /**
   * End of the N-th working day after the moment's local date (see the module header).
   * `n` must be a non-negative integer.
   */
  addWorkingDays(from: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    let day = this.localDate(from);
    if (n === 0) {
      if (!this.isWorkingDay(day)) day = this.nextWorkingDay(day);
      return this.endOfLocalDay(day);
    }
    for (let i = 0; i < n; i++) day = this.nextWorkingDay(day);
    return this.endOfLocalDay(day);
  }

  /** Calendar days at the same local wall time (n may be negative). */
  addDays(from: Date, n: number): Date {
    if (!Number.isInteger(n)) throw new RangeError(`days must be a whole number, got ${n}`);
    const p = localParts(checkInstant(from), this.timeZone);
    const date = addLocalDays(this.localDate(from), n);
    return zonedInstant(date, { hour: p.hour, minute: p.minute, second: p.second, millisecond: p.millisecond }, this.timeZone);
  }

  /**
   * Working days elapsed from a to b: working days d with localDate(a) < d <= localDate(b);
   * negative when b is on an earlier local date than a.
   */
  workingDaysBetween(a: Date, b: Date): number {
    const start = this.localDate(a);
    const end = this.localDate(b);
    if (start === end) return 0;
    const [lo, hi, sign] = start < end ? [start, end, 1] : [end, start, -1];
    let count = 0;
    for (let d = addLocalDays(lo, 1); d <= hi; d = addLocalDays(d, 1)) {
      if (this.isWorkingDay(d)) count++;
    }
    return sign * count;
  }
}

function checkDate(date: string, year?: number): string {
  const parsed = parseLocalDate(date);
  if (year !== undefined && parsed.year !== year) throw new RangeError(`${date} is not in ${year}`);
  return date;
}

function checkInstant(d: Date): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RangeError('expected a valid Date');
  return d;
}

/** chinese-days stores "Spring Festival,春节,4": keep the Chinese name. */
function holidayName(raw: string): string {
  const parts = raw.split(',');
  return parts.length >= 2 ? parts[1] : raw;
}

/**
 * The days a calendar answers from, built and checked before `replaceData` swaps them in.
 * The calendar file's `officialYears` add to the package's data (a date both name keeps the
 * file's title; a day that is a holiday on one side and a working day on the other is worked).
 */
class BusinessCalendarData {
  readonly timeZone: string;
  readonly endOfDayTime: string;
  readonly closures = new Map<string, string>();
  readonly extraWorkingDays = new Map<string, string>();
  readonly holidays = new Map<string, string>();
  readonly adjustedWorkingDays = new Map<string, string>();
  readonly coveredYears = new Set<number>();

  constructor(config: BusinessCalendarConfig, source: OfficialCalendarSource) {
    this.timeZone = config.timeZone ?? 'Asia/Shanghai';
    assertTimeZone(this.timeZone);
    this.endOfDayTime = config.endOfDay ?? '18:00';
    parseLocalTime(this.endOfDayTime);
    for (const [date, title] of Object.entries(source.holidays)) {
      this.holidays.set(date, title);
      // A year counts as covered when the data names at least one holiday in it.
      this.coveredYears.add(Number(date.slice(0, 4)));
    }
    for (const [date, title] of Object.entries(source.workdays)) this.adjustedWorkingDays.set(date, title);
    for (const y of config.officialYears ?? []) {
      for (const d of y.holidays) this.holidays.set(checkDate(d.date, y.year), d.title);
      for (const d of y.workingDays) this.adjustedWorkingDays.set(checkDate(d.date, y.year), d.title);
      this.coveredYears.add(y.year);
    }
    for (const d of config.closures ?? []) this.closures.set(checkDate(d.date), d.title);
    for (const d of config.extraWorkingDays ?? []) {
      const date = checkDate(d.date);
      if (this.closures.has(date)) {
        throw new RangeError(`${date} is both a closure and an extra working day: keep only one`);
      }
      this.extraWorkingDays.set(date, d.title);
    }
  }

  get fingerprint(): string {
    const sorted = (m: Map<string, string>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
    return createHash('sha256')
      .update(
        JSON.stringify({
          timeZone: this.timeZone,
          endOfDay: this.endOfDayTime,
          years: [...this.coveredYears].sort((a, b) => a - b),
          holidays: sorted(this.holidays).map(([d]) => d),
          working: sorted(this.adjustedWorkingDays).map(([d]) => d),
          closures: sorted(this.closures).map(([d]) => d),
          extra: sorted(this.extraWorkingDays).map(([d]) => d),
        }),
      )
      .digest('hex');
  }
}
