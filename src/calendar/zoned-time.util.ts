/**
 * Wall-clock arithmetic in an IANA time zone using only `Intl` (no hand-written offset tables).
 *
 * A "local date" is a `YYYY-MM-DD` string and a "local time" is `HH:mm` (optionally with
 * seconds); both are read in one time zone. Local dates are added and compared as plain
 * calendar dates (via UTC arithmetic on the date alone), so the process time zone never
 * matters.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown time zone '${timeZone}': use an IANA name such as 'Asia/Shanghai'`);
  }
}

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The wall-clock reading of an instant in a time zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    millisecond: ((instant.getTime() % 1000) + 1000) % 1000,
  };
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return formatDate(p.year, p.month, p.day);
}

export function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`, rejecting impossible dates such as 2026-02-30. */
export function parseLocalDate(date: string): { year: number; month: number; day: number } {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`'${date}' is not a date: write YYYY-MM-DD, e.g. 2026-02-13`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`'${date}' is not a calendar date`);
  }
  return { year, month, day };
}

export function isLocalDate(date: string): boolean {
  try {
    parseLocalDate(date);
    return true;
  } catch {
    return false;
  }
}

/** Adds calendar days to a local date. */
export function addLocalDays(date: string, days: number): string {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** 0 = Sunday … 6 = Saturday, for a local date (independent of any time zone). */
export function weekdayOf(date: string): number {
  const { year, month, day } = parseLocalDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** Number of days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses `HH:mm` (24-hour). */
export function parseLocalTime(time: string): { hour: number; minute: number } {
  const m = TIME_RE.exec(time);
  if (!m) throw new RangeError(`'${time}' is not a time of day: write HH:mm (24-hour), e.g. 18:00`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

export function isLocalTime(time: string): boolean {
  return TIME_RE.test(time);
}

/**
 * The instant at which the wall clock in `timeZone` reads the given local date and time.
 * Found by asking Intl for the zone's offset and correcting once more (DST-safe): in a
 * spring-forward gap the result is shifted forward by the gap, in a fall-back overlap the
 * earlier of the two instants is returned.
 */
export function zonedInstant(date: string, time: { hour: number; minute: number; second?: number; millisecond?: number }, timeZone: string): Date {
  const { year, month, day } = parseLocalDate(date);
  const wall = Date.UTC(year, month - 1, day, time.hour, time.minute, time.second ?? 0, time.millisecond ?? 0);
  const offsetAt = (t: number): number => {
    const p = localParts(new Date(t), timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, 0);
    return asUtc - (t - (((t % 1000) + 1000) % 1000));
  };
  const first = offsetAt(wall);
  let guess = wall - first;
  const second = offsetAt(guess);
  if (second !== first) {
    // Crossed a transition: prefer the earlier consistent reading.
    const alt = wall - second;
    guess = offsetAt(alt) === second ? Math.min(alt, guess) : guess;
  }
  return new Date(guess);
}
