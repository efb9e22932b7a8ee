import { chineseLocalTime } from './local-time-text.util';

describe('chineseLocalTime', () => {
  // 2026-12-01T18:13:58Z is already 2 December in Shanghai.
  const late = '2026-12-01T18:13:58.216Z';

  it('reads an instant in Asia/Shanghai by default, not in UTC', () => {
    expect(chineseLocalTime(late)).toBe('2026年12月2日');
    expect(chineseLocalTime(late, { time: true })).toBe('2026年12月2日 02:13');
    expect(chineseLocalTime(new Date(late), { time: true })).toBe('2026年12月2日 02:13');
    expect(chineseLocalTime(Date.parse(late), { time: true })).toBe('2026年12月2日 02:13');
    expect(chineseLocalTime('2026-12-02T02:13:58+08:00', { time: true })).toBe('2026年12月2日 02:13');
  });

  it('reads it in the zone given', () => {
    expect(chineseLocalTime(late, { time: true, timeZone: 'UTC' })).toBe('2026年12月1日 18:13');
    expect(chineseLocalTime(late, { time: true, timeZone: 'America/New_York' })).toBe('2026年12月1日 13:13');
  });

  it('shows a date without a time as that date, with or without time, in any zone', () => {
    expect(chineseLocalTime('2026-12-02')).toBe('2026年12月2日');
    expect(chineseLocalTime('2026-12-02', { time: true })).toBe('2026年12月2日');
    expect(chineseLocalTime('2026-12-02', { timeZone: 'America/New_York' })).toBe('2026年12月2日');
  });

  it('shows a date-time without an offset as the wall time written, whatever the server zone', () => {
    expect(chineseLocalTime('2026-12-02T02:13', { time: true })).toBe('2026年12月2日 02:13');
    expect(chineseLocalTime('2026-12-02T02:13:58.5', { time: true, timeZone: 'UTC' })).toBe('2026年12月2日 02:13');
  });

  it('gives undefined for what is not a date or a time', () => {
    for (const v of [undefined, null, '', 'not a date', '2026-02-30', '2026-12-02T25:00', '12/02/2026', true, {}, Number.NaN]) {
      expect(chineseLocalTime(v)).toBeUndefined();
    }
  });
});
