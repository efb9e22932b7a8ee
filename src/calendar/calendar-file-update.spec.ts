import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { thrownAppError } from '../../test/support/app-error';
import { ErrorCode } from '../common/app-error';
import { BusinessCalendar, CHINESE_DAYS_SOURCE, type OfficialCalendarSource } from './business-calendar';
import { parseCalendarFile } from './calendar-file';
import { compareWithOfficialSource, setOfficialYear } from './calendar-file-update';
import { parseHolidayNotice } from './holiday-notice';

const ROOT = join(__dirname, '../..');
const BUNDLED = readFileSync(join(ROOT, 'definitions/calendar/calendar.yaml'), 'utf8');
const noticeOf = (year: number) => {
  const n = parseHolidayNotice(readFileSync(join(ROOT, `test/fixtures/calendar/notices/${year}.txt`), 'utf8'));
  expect(n.problems).toEqual([]);
  return { year: n.year!, holidays: n.holidays, workingDays: n.workingDays, comment: n.title };
};
const days = (year: number, ...dates: string[]) => dates.map((d) => ({ date: `${year}-${d}`, title: '元旦' }));

describe('setOfficialYear', () => {
  it('appends the year to the bundled calendar file, leaving every other byte as it was', () => {
    const update = setOfficialYear({ text: BUNDLED, ...noticeOf(2026) });
    expect(update.replaced).toBe(false);
    expect(update.carried).toEqual([]);
    expect(update.text.startsWith(BUNDLED)).toBe(true);
    expect(update.text.slice(BUNDLED.length).split('\n').slice(0, 6)).toEqual([
      'officialYears:',
      '  # 国务院办公厅关于2026年部分节假日安排的通知',
      '  - year: 2026',
      '    holidays:',
      '      - { date: 2026-01-01, title: 元旦 }',
      '      - { date: 2026-01-02, title: 元旦 }',
    ]);
    const config = parseCalendarFile(update.text);
    expect(config).toEqual(update.config);
    expect(config.officialYears).toEqual([{ year: 2026, holidays: noticeOf(2026).holidays, workingDays: noticeOf(2026).workingDays }]);
  });

  it('gives a year the package lacks the calendar of the notice', () => {
    // The 2026 notice's days, moved to a year without package data, as a stand-in for 2027.
    const empty: OfficialCalendarSource = { holidays: {}, workdays: {} };
    const update = setOfficialYear({ text: BUNDLED, ...noticeOf(2026), source: empty });
    const calendar = new BusinessCalendar(update.config, empty);
    expect(calendar.hasDataFor(2026)).toBe(true);
    expect(calendar.dayInfo('2026-02-14')).toEqual({
      date: '2026-02-14',
      working: true,
      reason: 'adjusted-working-day',
      title: '春节调休',
      provisional: false,
    });
    expect(calendar.dayInfo('2026-02-16')).toEqual({ date: '2026-02-16', working: false, reason: 'holiday', title: '春节', provisional: false });
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
  });

  it('replaces an existing entry of the year, keeps the other entries and comments, in year order', () => {
    const text = [
      'timeZone: Asia/Shanghai   # aligned comment',
      '# the official years',
      'officialYears:',
      '  # hand-written 2028',
      '  - year: 2028',
      '    holidays: [{ date: 2028-01-01, title: 元旦 }]',
      '    workingDays: []',
      '  - year: 2026',
      '    holidays: [{ date: 2026-01-01, title: 旧数据 }]',
      '    workingDays: []',
      '# closures follow',
      'closures:',
      '  - { date: 2026-06-30, title: 盘点 }',
      '',
    ].join('\n');
    const update = setOfficialYear({ text, year: 2026, holidays: days(2026, '01-01', '01-02'), workingDays: [], comment: 'notice' });
    expect(update.replaced).toBe(true);
    expect(update.text).toBe(
      [
        'timeZone: Asia/Shanghai   # aligned comment',
        '# the official years',
        'officialYears:',
        '  # hand-written 2028',
        '  - year: 2028',
        '    holidays: [ { date: 2028-01-01, title: 元旦 } ]',
        '    workingDays: []',
        '  # notice',
        '  - year: 2026',
        '    holidays:',
        '      - { date: 2026-01-01, title: 元旦 }',
        '      - { date: 2026-01-02, title: 元旦 }',
        '    workingDays: []',
        '# closures follow',
        'closures:',
        '  - { date: 2026-06-30, title: 盘点 }',
        '',
      ].join('\n'),
    );
    const inserted = setOfficialYear({ text: update.text, year: 2027, holidays: days(2027, '01-01'), workingDays: [] });
    expect(inserted.config.officialYears?.map((y) => y.year)).toEqual([2027, 2028, 2026]);
    // Writing the same again changes nothing.
    expect(setOfficialYear({ text: update.text, year: 2026, holidays: days(2026, '01-01', '01-02'), workingDays: [], comment: 'notice' }).text).toBe(
      update.text,
    );
  });

  it('turns `officialYears: []` into a list, and writes into an empty file', () => {
    const flow = setOfficialYear({ text: 'officialYears: []   # none yet\nendOfDay: "17:30"\n', year: 2027, holidays: days(2027, '01-01'), workingDays: [] });
    // The list's trailing comment stays with the list, after its items.
    expect(flow.text).toBe(
      'officialYears:\n  - year: 2027\n    holidays:\n      - { date: 2027-01-01, title: 元旦 }\n    workingDays: []\n  # none yet\nendOfDay: "17:30"\n',
    );
    expect(setOfficialYear({ text: '', year: 2027, holidays: days(2027, '01-01'), workingDays: [] }).config).toEqual({
      officialYears: [{ year: 2027, holidays: days(2027, '01-01'), workingDays: [] }],
    });
    const flowRoot = setOfficialYear({ text: '{ timeZone: Asia/Shanghai }\n', year: 2027, holidays: days(2027, '01-01'), workingDays: [] });
    expect(flowRoot.config).toEqual({ timeZone: 'Asia/Shanghai', officialYears: [{ year: 2027, holidays: days(2027, '01-01'), workingDays: [] }] });
  });

  it('puts 元旦 days of the year before into that year’s entry', () => {
    const created = setOfficialYear({ text: BUNDLED, ...noticeOf(2023) });
    expect(created.carried).toEqual([{ year: 2022, holidays: [{ date: '2022-12-31', title: '元旦' }], workingDays: [], created: true }]);
    expect(created.config.officialYears?.map((y) => [y.year, y.holidays.length, y.workingDays.length])).toEqual([
      [2022, 1, 0],
      [2023, 26, 7],
    ]);
    const existing =
      'officialYears:\n  - year: 2022\n    holidays: [{ date: 2022-10-01, title: 国庆节 }]\n    workingDays: [{ date: 2022-12-31, title: 错误 }]\n';
    const merged = setOfficialYear({ text: existing, ...noticeOf(2023) });
    expect(merged.carried).toEqual([{ year: 2022, holidays: [{ date: '2022-12-31', title: '元旦' }], workingDays: [], created: false }]);
    expect(merged.config.officialYears?.[0]).toEqual({
      year: 2022,
      holidays: [
        { date: '2022-10-01', title: '国庆节' },
        { date: '2022-12-31', title: '元旦' },
      ],
      workingDays: [],
    });
  });

  it('refuses to make a year look covered when it has no official data anywhere', () => {
    const only2023: OfficialCalendarSource = {
      holidays: Object.fromEntries(Object.entries(CHINESE_DAYS_SOURCE.holidays).filter(([d]) => d.startsWith('2023-'))),
      workdays: {},
    };
    const error = thrownAppError(() => setOfficialYear({ text: BUNDLED, ...noticeOf(2023), source: only2023, file: 'calendar.yaml' }));
    expect(error.code).toBe(ErrorCode.CalendarDataMissing);
    expect(error.message).toBe(
      'the 2023 notice puts 2022-12-31 in 2022, but neither calendar.yaml nor chinese-days has official data for 2022: import the 2022 notice first, then this one',
    );
  });

  it('refuses a calendar file that is already invalid', () => {
    const error = thrownAppError(() => setOfficialYear({ text: 'endOfDay: 6pm\n', year: 2027, holidays: days(2027, '01-01'), workingDays: [] }));
    expect(error.code).toBe(ErrorCode.CalendarInvalid);
  });
});

describe('compareWithOfficialSource and how the calendar merges file and package', () => {
  it('finds the 2025 and 2026 notices equal to the package', () => {
    for (const year of [2025, 2026]) {
      expect(compareWithOfficialSource(noticeOf(year))).toEqual({
        sourceHasYear: true,
        onlyInNotice: { holidays: [], workingDays: [] },
        onlyInSource: { holidays: [], workingDays: [] },
      });
    }
    expect(compareWithOfficialSource({ year: 2027, holidays: days(2027, '01-01'), workingDays: [] })).toEqual({
      sourceHasYear: false,
      onlyInNotice: { holidays: ['2027-01-01'], workingDays: [] },
      onlyInSource: { holidays: [], workingDays: [] },
    });
  });

  // The CLI tells the process owner exactly this; if BusinessCalendar changes, change its message.
  it('adds the file’s days to the package, cannot remove package days, and lets a working day win', () => {
    const notice = noticeOf(2026);
    const changed = {
      ...notice,
      holidays: [...notice.holidays.filter((d) => d.date !== '2026-10-07'), { date: '2026-10-10', title: '国庆节' }],
      workingDays: [...notice.workingDays.filter((d) => d.date !== '2026-10-10'), { date: '2026-10-08', title: '国庆节调休' }],
    };
    expect(compareWithOfficialSource(changed)).toEqual({
      sourceHasYear: true,
      onlyInNotice: { holidays: ['2026-10-10'], workingDays: ['2026-10-08'] },
      onlyInSource: { holidays: ['2026-10-07'], workingDays: ['2026-10-10'] },
    });
    const calendar = new BusinessCalendar(setOfficialYear({ text: '', ...changed }).config);
    expect(calendar.dayInfo('2026-10-07')).toMatchObject({ working: false, reason: 'holiday' }); // still the package's
    expect(calendar.dayInfo('2026-10-08')).toMatchObject({ working: true, reason: 'adjusted-working-day' }); // added by the file
    expect(calendar.dayInfo('2026-10-10')).toMatchObject({ working: true, reason: 'adjusted-working-day' }); // working day wins
    expect(calendar.dayInfo('2026-10-01')).toEqual({ date: '2026-10-01', working: false, reason: 'holiday', title: '国庆节', provisional: false });
  });
});
