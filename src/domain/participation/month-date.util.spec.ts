import { isCalendarDate, shiftDate } from './month-date.util';

describe('isCalendarDate', () => {
  it.each([
    ['2026-02-28', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    [20260101, false],
  ])('%s → %s', (value, expected) => {
    expect(isCalendarDate({ value })).toBe(expected);
  });
});

describe('shiftDate', () => {
  it.each([
    ['2026-03-31', 9, 0, '2026-12-31'],
    ['2026-05-31', 9, 0, '2027-02-28'],
    ['2026-02-28', 9, 0, '2026-11-28'],
    ['2027-06-30', -9, 0, '2026-09-30'],
    ['2026-11-30', -9, 0, '2026-02-28'],
    ['2026-12-31', 0, 1, '2027-01-01'],
    ['2026-03-01', 0, -1, '2026-02-28'],
    ['2026-01-15', -13, 0, '2024-12-15'],
  ])('%s %+d months %+d days → %s', (date, months, days, expected) => {
    expect(shiftDate({ date, months, days })).toBe(expected);
  });
});
