/**
 * Times as people read them on forms, notices and messages: the local wall-clock date (and
 * time) in one IANA time zone, in Chinese — `2026年12月2日` or `2026年12月2日 02:13`.
 *
 * Stored data keeps instants as ISO-8601 UTC text (`2026-12-01T18:13:58.216Z`); that is
 * machine data and stays so in API JSON. Anything shown to staff or owners goes through
 * `chineseLocalTime` instead, with the business calendar's zone (Asia/Shanghai by default), so
 * nobody reads a UTC date that is a day off.
 *
 * Accepted values (anything else is "unreadable" and gives `undefined`; callers decide what to
 * show then):
 * - a `Date`, or a number of milliseconds since the epoch: the instant, read in the zone;
 * - `YYYY-MM-DD`: a calendar date, shown as that date (never with a time, never shifted);
 * - an ISO instant with `Z` or an offset (`2026-12-01T18:13:58Z`, `…+08:00`): read in the zone;
 * - an ISO date-time without an offset (`2026-12-02T02:13`): already a local wall time, shown
 *   as written (never read in the server's own zone).
 */
import { localParts, parseLocalDate } from './zoned-time.util';

/** The zone used when none is given: the business calendar's default. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const DATE_ONLY = /^(\d{4}-\d{2}-\d{2})$/;
const WALL_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

interface Reading {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Absent for a date without a time. */
  readonly hour?: number;
  readonly minute?: number;
}

function read(value: unknown, timeZone: string): Reading | undefined {
  if (value instanceof Date || typeof value === 'number') {
    const instant = new Date(value instanceof Date ? value.getTime() : value);
    return Number.isNaN(instant.getTime()) ? undefined : localParts(instant, timeZone);
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  let m: RegExpExecArray | null;
  try {
    if ((m = DATE_ONLY.exec(text))) return parseLocalDate(m[1]);
    if ((m = WALL_TIME.exec(text))) {
      const [hour, minute] = [Number(m[2]), Number(m[3])];
      return hour < 24 && minute < 60 ? { ...parseLocalDate(m[1]), hour, minute } : undefined;
    }
  } catch {
    return undefined; // an impossible date such as 2026-02-30
  }
  if (INSTANT.test(text)) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : localParts(new Date(t), timeZone);
  }
  return undefined;
}

/**
 * `2026-12-01T18:13:58Z` → `2026年12月2日` (Asia/Shanghai), with `time` → `2026年12月2日 02:13`;
 * `2026-12-02` → `2026年12月2日` with or without `time`. Unreadable values give `undefined`.
 */
export function chineseLocalTime(value: unknown, opts: { time?: boolean; timeZone?: string } = {}): string | undefined {
  const r = read(value, opts.timeZone ?? DEFAULT_TIME_ZONE);
  if (!r) return undefined;
  const date = `${r.year}年${r.month}月${r.day}日`;
  if (!opts.time || r.hour === undefined || r.minute === undefined) return date;
  return `${date} ${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`;
}
