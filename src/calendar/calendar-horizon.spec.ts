import { BusinessCalendar } from './business-calendar';
import { calendarWarning } from './calendar-horizon';

const cal = new BusinessCalendar();
const at = (local: string) => new Date(`${local}T09:00:00+08:00`);

describe('calendarWarning', () => {
  it('is silent until warnDays before the last official day, then names the year and what to do', () => {
    expect(calendarWarning({ calendar: cal, now: at('2026-10-31'), warnDays: 60 })).toBeUndefined();
    const warning = calendarWarning({ calendar: cal, now: at('2026-11-01'), warnDays: 60 });
    expect(warning).toMatchObject({ officialThrough: '2026-12-31', year: 2027, daysLeft: 60 });
    expect(warning?.message).toContain('截至2026年12月31日（还剩 60 天）');
    expect(warning?.message).toContain('《关于2027年部分节假日安排的通知》');
    expect(calendarWarning({ calendar: cal, now: at('2026-12-01'), warnDays: 10 })).toBeUndefined();
  });

  it('keeps warning once the provisional year has begun', () => {
    const warning = calendarWarning({ calendar: cal, now: at('2027-02-01'), warnDays: 60 });
    expect(warning).toMatchObject({ year: 2027 });
    expect(warning?.message).toMatch(/^业务日历没有2027年的官方节假日数据。/);
  });

  it('stops once the next year is imported', () => {
    const withNext = new BusinessCalendar({ officialYears: [{ year: 2027, holidays: [{ date: '2027-01-01', title: '元旦' }], workingDays: [] }] });
    expect(calendarWarning({ calendar: withNext, now: at('2026-12-15'), warnDays: 60 })).toBeUndefined();
    expect(calendarWarning({ calendar: withNext, now: at('2027-11-15'), warnDays: 60 })).toMatchObject({ year: 2028, daysLeft: 46 });
  });
});
