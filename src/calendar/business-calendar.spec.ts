import { getDayDetail, isWorkday } from 'chinese-days';
import { AppError, ErrorCode } from '../common/app-error';
import { BusinessCalendar, CHINESE_DAYS_SOURCE } from './business-calendar';

/** An instant written in Asia/Shanghai wall time. */
const sh = (local: string): Date => new Date(`${local}+08:00`);

describe('BusinessCalendar', () => {
  const cal = new BusinessCalendar();

  describe('official data from chinese-days (checked, not assumed)', () => {
    it('2026 Spring Festival: 15–23 Feb off, Saturdays 14 and 28 Feb are working days', () => {
      expect(cal.dayInfo('2026-02-13')).toEqual({ date: '2026-02-13', working: true, reason: 'weekday', provisional: false });
      expect(cal.dayInfo('2026-02-14')).toEqual({ date: '2026-02-14', working: true, reason: 'adjusted-working-day', title: '春节', provisional: false });
      for (let d = 15; d <= 23; d++) {
        expect(cal.dayInfo(`2026-02-${d}`)).toMatchObject({ working: false, reason: 'holiday', title: '春节' });
      }
      expect(cal.isWorkingDay('2026-02-24')).toBe(true);
      expect(cal.dayInfo('2026-02-28')).toMatchObject({ working: true, reason: 'adjusted-working-day' });
    });

    it('2026 National Day: 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked, 8 Oct is an ordinary Thursday', () => {
      for (let d = 1; d <= 7; d++) expect(cal.dayInfo(`2026-10-0${d}`)).toMatchObject({ working: false, title: '国庆节' });
      expect(cal.dayInfo('2026-10-08')).toEqual({ date: '2026-10-08', working: true, reason: 'weekday', provisional: false });
      expect(cal.dayInfo('2026-09-20')).toMatchObject({ working: true, reason: 'adjusted-working-day', title: '国庆节' });
      expect(cal.dayInfo('2026-10-10')).toMatchObject({ working: true, reason: 'adjusted-working-day', title: '国庆节' });
      expect(cal.dayInfo('2026-10-11')).toMatchObject({ working: false, reason: 'weekend' });
      // Mid-Autumn Festival is separate in 2026: Fri 25 – Sun 27 Sep.
      expect(cal.dayInfo('2026-09-25')).toMatchObject({ working: false, reason: 'holiday', title: '中秋' });
    });

    // chinese-days reads dates in the process time zone and misplaces them by a day west of UTC
    // (which is why the calendar reads its data instead), so the cross-check runs only at UTC or east.
    const eastOfUtc = new Date('2026-01-01T00:00:00Z').getTimezoneOffset() <= 0;
    (eastOfUtc ? it : it.skip)('agrees with chinese-days isWorkday() on every day 2024–2026', () => {
      for (let t = Date.UTC(2024, 0, 1); t <= Date.UTC(2026, 11, 31); t += 86_400_000) {
        const iso = new Date(t).toISOString().slice(0, 10);
        expect([iso, cal.isWorkingDay(iso)]).toEqual([iso, isWorkday(iso)]);
        expect(getDayDetail(iso).date).toBe(iso);
      }
    });

    it('knows which years have data (2004–2026 in chinese-days 1.5.7)', () => {
      const years = cal.yearsWithData();
      expect(years[0]).toBe(2004);
      expect(cal.hasDataFor(2026)).toBe(true);
      expect(cal.hasDataFor(2027)).toBe(false);
    });
  });

  describe('a year without official data follows the provisional statutory rule', () => {
    it('REQUIRED: dispatched 2026-12-30 + 3 working days = end of Tue 2027-01-05, marked provisional', () => {
      const due = cal.addWorkingDays(sh('2026-12-30T10:00:00'), 3);
      expect(due).toEqual(sh('2027-01-05T18:00:00'));
      expect(cal.provisionalWithin('2026-12-30', cal.localDate(due))).toBe(true);
      expect(cal.provisionalWithin('2026-02-13', '2026-02-25')).toBe(false);
      expect(cal.dayInfo('2027-01-01')).toEqual({ date: '2027-01-01', working: false, reason: 'holiday', title: '元旦', provisional: true });
    });

    it('2027 under the statutory rule: 春节 除夕–初三 plus two make-up days, no adjusted working weekends', () => {
      // 除夕 Fri 5 Feb, 初一 Sat 6, 初二 Sun 7, 初三 Mon 8: two weekend days, made up Tue 9 and Wed 10.
      for (const d of ['2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10']) expect(cal.isWorkingDay(d)).toBe(false);
      expect(cal.dayInfo('2027-02-09')).toMatchObject({ reason: 'holiday', title: '春节补假', provisional: true });
      expect(cal.isWorkingDay('2027-02-11')).toBe(true);
      // 国庆 Fri 1 – Sun 3 Oct: made up Mon 4 and Tue 5; no Saturday is ever worked.
      expect(['2027-10-04', '2027-10-05', '2027-10-06'].map((d) => cal.isWorkingDay(d))).toEqual([false, false, true]);
      expect(cal.dayInfo('2027-09-26')).toMatchObject({ working: false, reason: 'weekend', provisional: true });
    });

    it('refuses only years even the lunar calendar cannot answer', () => {
      const err = catchError(() => cal.isWorkingDay('2300-10-01'));
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.CalendarDataMissing);
      expect(err.details).toMatchObject({ year: 2300 });
    });

    it('knows where official data ends', () => {
      expect(cal.officialThrough()).toBe('2026-12-31');
      expect(cal.isProvisional('2027-03-01')).toBe(true);
      expect(cal.isProvisional('2026-12-31')).toBe(false);
    });

    it('accepts official data for a new year from the calendar config', () => {
      const withYear = new BusinessCalendar({
        officialYears: [{ year: 2027, holidays: [{ date: '2027-01-01', title: '元旦' }], workingDays: [] }],
      });
      expect(withYear.isWorkingDay('2027-01-01')).toBe(false);
      expect(withYear.dayInfo('2027-02-09')).toMatchObject({ working: true, provisional: false });
      expect(withYear.fingerprint()).not.toBe(cal.fingerprint());
      // Thu 31 Dec 2026 + 1: Fri 1 Jan 2027 is a holiday, so Mon 4 Jan.
      expect(withYear.addWorkingDays(sh('2026-12-31T10:00:00'), 1)).toEqual(sh('2027-01-04T18:00:00'));
    });

    it('detects coverage from the data source, year by year', () => {
      const tiny = new BusinessCalendar({}, { holidays: { '2030-10-01': 'National Day,国庆节,3' }, workdays: {} });
      expect(tiny.yearsWithData()).toEqual([2030]);
      expect(tiny.isWorkingDay('2030-10-01')).toBe(false);
      expect(tiny.dayInfo('2029-10-01')).toMatchObject({ working: false, title: '国庆节', provisional: true });
    });

    it('bundles the library data as loaded', () => {
      expect(CHINESE_DAYS_SOURCE.holidays['2026-02-15']).toContain('春节');
    });
  });

  describe('addWorkingDays', () => {
    it('REQUIRED: Friday 2026-02-13 10:00 + 3 working days = end of Wednesday 2026-02-25', () => {
      expect(cal.addWorkingDays(sh('2026-02-13T10:00:00'), 3)).toEqual(sh('2026-02-25T18:00:00'));
    });

    it('never counts the starting day, whatever the hour', () => {
      expect(cal.addWorkingDays(sh('2026-02-13T00:01:00'), 1)).toEqual(sh('2026-02-14T18:00:00'));
      expect(cal.addWorkingDays(sh('2026-02-13T23:59:00'), 1)).toEqual(sh('2026-02-14T18:00:00'));
    });

    it('starts from the local date in the calendar zone, not UTC', () => {
      // 17:00 UTC on Fri 13 Feb is already 01:00 on Sat 14 Feb in Shanghai.
      expect(cal.addWorkingDays(new Date('2026-02-13T17:00:00Z'), 1)).toEqual(sh('2026-02-24T18:00:00'));
    });

    it('skips 国庆 and counts the working Saturday after it', () => {
      expect(cal.addWorkingDays(sh('2026-09-30T09:00:00'), 1)).toEqual(sh('2026-10-08T18:00:00'));
      expect(cal.addWorkingDays(sh('2026-09-30T09:00:00'), 3)).toEqual(sh('2026-10-10T18:00:00'));
      expect(cal.addWorkingDays(sh('2026-10-03T09:00:00'), 1)).toEqual(sh('2026-10-08T18:00:00'));
      // Thu 24 Sep + 1: Fri 25 Sep is 中秋, so Mon 28 Sep.
      expect(cal.addWorkingDays(sh('2026-09-24T09:00:00'), 1)).toEqual(sh('2026-09-28T18:00:00'));
    });

    it('0 working days = end of today if working, else end of the next working day', () => {
      expect(cal.addWorkingDays(sh('2026-02-13T10:00:00'), 0)).toEqual(sh('2026-02-13T18:00:00'));
      expect(cal.addWorkingDays(sh('2026-10-01T10:00:00'), 0)).toEqual(sh('2026-10-08T18:00:00'));
    });

    it('rejects negative or fractional counts', () => {
      expect(() => cal.addWorkingDays(sh('2026-02-13T10:00:00'), -1)).toThrow(RangeError);
      expect(() => cal.addWorkingDays(sh('2026-02-13T10:00:00'), 1.5)).toThrow(RangeError);
    });
  });

  describe('company closures and extra working days', () => {
    const company = new BusinessCalendar({
      endOfDay: '17:30',
      closures: [{ date: '2026-06-30', title: '年中盘点' }],
      extraWorkingDays: [{ date: '2026-03-07', title: '业主开放日' }],
    });

    it('applies them on top of the official calendar', () => {
      expect(company.dayInfo('2026-06-30')).toEqual({ date: '2026-06-30', working: false, reason: 'closure', title: '年中盘点', provisional: false });
      expect(company.dayInfo('2026-03-07')).toMatchObject({ working: true, reason: 'extra-working-day' });
      // Mon 29 Jun + 1: Tue 30 Jun closed, so Wed 1 Jul at 17:30.
      expect(company.addWorkingDays(sh('2026-06-29T09:00:00'), 1)).toEqual(sh('2026-07-01T17:30:00'));
    });

    it('refuses a date that is both a closure and an extra working day', () => {
      expect(
        () =>
          new BusinessCalendar({
            closures: [{ date: '2026-03-07', title: 'a' }],
            extraWorkingDays: [{ date: '2026-03-07', title: 'b' }],
          }),
      ).toThrow(/both a closure and an extra working day/);
    });

    it('refuses an unknown time zone or a bad end of day', () => {
      expect(() => new BusinessCalendar({ timeZone: 'Asia/Nowhere' })).toThrow(/unknown time zone/);
      expect(() => new BusinessCalendar({ endOfDay: '6pm' })).toThrow(/HH:mm/);
    });
  });

  describe('endOfDay', () => {
    it('is 18:00 of the local day, even on a holiday', () => {
      expect(cal.endOfDay(sh('2026-02-13T10:00:00'))).toEqual(sh('2026-02-13T18:00:00'));
      expect(cal.endOfDay(sh('2026-10-01T08:00:00'))).toEqual(sh('2026-10-01T18:00:00'));
    });

    it('is the moment itself when already past the end of the day', () => {
      expect(cal.endOfDay(sh('2026-02-13T19:15:00'))).toEqual(sh('2026-02-13T19:15:00'));
    });
  });

  describe('addDays', () => {
    it('adds calendar days at the same local time, holidays included', () => {
      expect(cal.addDays(sh('2026-02-13T10:00:00'), 7)).toEqual(sh('2026-02-20T10:00:00'));
      expect(cal.addDays(sh('2026-01-31T10:30:00'), 1)).toEqual(sh('2026-02-01T10:30:00'));
      expect(cal.addDays(sh('2026-03-01T10:30:00'), -1)).toEqual(sh('2026-02-28T10:30:00'));
    });

    it('keeps the wall time across a DST change in zones that have one', () => {
      const ny = new BusinessCalendar({ timeZone: 'America/New_York' });
      // 2026-03-08 is the US spring-forward day: 10:00 EST (15:00Z) + 1 day = 10:00 EDT (14:00Z).
      expect(ny.addDays(new Date('2026-03-07T15:00:00Z'), 1)).toEqual(new Date('2026-03-08T14:00:00Z'));
      expect(ny.endOfDay(new Date('2026-03-08T12:00:00Z'))).toEqual(new Date('2026-03-08T22:00:00Z'));
    });
  });

  describe('workingDaysBetween', () => {
    it('counts working days after a up to and including b', () => {
      expect(cal.workingDaysBetween(sh('2026-02-13T10:00:00'), sh('2026-02-25T09:00:00'))).toBe(3);
      expect(cal.workingDaysBetween(sh('2026-02-13T10:00:00'), sh('2026-02-13T17:00:00'))).toBe(0);
      expect(cal.workingDaysBetween(sh('2026-02-25T09:00:00'), sh('2026-02-13T10:00:00'))).toBe(-3);
      expect(cal.workingDaysBetween(sh('2026-09-30T09:00:00'), sh('2026-10-09T09:00:00'))).toBe(2);
    });

    it('inverts addWorkingDays', () => {
      const from = sh('2026-09-18T15:00:00');
      for (const n of [1, 2, 5, 10, 20]) {
        expect(cal.workingDaysBetween(from, cal.addWorkingDays(from, n))).toBe(n);
      }
    });
  });
});

function catchError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
}
