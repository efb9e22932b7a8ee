/**
 * Calendar-date arithmetic for the participation rules: dates are `YYYY-MM-DD` strings without
 * a time or time zone, compared as strings (which orders them correctly).
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar date written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isCalendarDate({ value }: { value: unknown }): boolean {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/**
 * The date `months` calendar months and then `days` days after `date` (negative: before).
 * Month steps keep the day of the month and clamp it to the month's last day, the way people
 * count months: 2026-05-31 + 9 months = 2027-02-28; 2026-02-28 + 9 months = 2026-11-28.
 */
export function shiftDate({ date, months = 0, days = 0 }: { date: string; months?: number; days?: number }): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`'${date}' is not a date YYYY-MM-DD`);
  const total = Number(m[1]) * 12 + (Number(m[2]) - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const day = Math.min(Number(m[3]), daysInMonth(year, month));
  const utc = new Date(Date.UTC(year, month - 1, day + days));
  return utc.toISOString().slice(0, 10);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
