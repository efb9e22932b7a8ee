import { addLocalDays, daysInMonth, localDateOf, parseLocalDate, weekdayOf, zonedInstant } from './zoned-time.util';

describe('zoned-time.util', () => {
  it('reads the local date of an instant in a zone', () => {
    expect(localDateOf(new Date('2026-02-13T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-02-14');
    expect(localDateOf(new Date('2026-02-13T16:30:00Z'), 'UTC')).toBe('2026-02-13');
  });

  it('converts wall time to an instant, including DST gaps and overlaps', () => {
    expect(zonedInstant('2026-02-13', { hour: 18, minute: 0 }, 'Asia/Shanghai')).toEqual(new Date('2026-02-13T10:00:00Z'));
    // 02:30 does not exist in New York on 2026-03-08: shifted forward to 03:30 EDT.
    expect(zonedInstant('2026-03-08', { hour: 2, minute: 30 }, 'America/New_York')).toEqual(new Date('2026-03-08T07:30:00Z'));
    // 01:30 happens twice on 2026-11-01: the earlier (EDT) one.
    expect(zonedInstant('2026-11-01', { hour: 1, minute: 30 }, 'America/New_York')).toEqual(new Date('2026-11-01T05:30:00Z'));
  });

  it('does calendar arithmetic on dates', () => {
    expect(addLocalDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addLocalDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(weekdayOf('2026-02-13')).toBe(5);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(() => parseLocalDate('2026-02-30')).toThrow(/not a calendar date/);
    expect(() => parseLocalDate('2026/02/03')).toThrow(/YYYY-MM-DD/);
  });
});
