import { join } from 'node:path';
import { AppError, ErrorCode } from '../common/app-error';
import { CalendarFileProblem, loadBusinessCalendar, loadCalendarFile, parseCalendarFile } from './calendar-file';

const fixture = join(__dirname, '../../test/fixtures/calendar/company.yaml');

function problemsOf(text: string): CalendarFileProblem[] {
  try {
    parseCalendarFile(text, 'company.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(ErrorCode.CalendarInvalid);
    return (e as AppError).details!.errors as CalendarFileProblem[];
  }
  throw new Error('expected the file to be refused');
}

describe('calendar file', () => {
  it('loads the example company calendar', () => {
    expect(loadCalendarFile(fixture)).toEqual({
      timeZone: 'Asia/Shanghai',
      endOfDay: '18:00',
      closures: [{ date: '2026-06-30', title: '公司年中盘点（全员休息）' }],
      extraWorkingDays: [{ date: '2026-03-07', title: '业主开放日（周六上班）' }],
    });
    const cal = loadBusinessCalendar(fixture);
    expect(cal.isWorkingDay('2026-06-30')).toBe(false);
    expect(cal.isWorkingDay('2026-03-07')).toBe(true);
  });

  it('accepts an empty file (all defaults) and official data for a new year', () => {
    expect(parseCalendarFile('')).toEqual({});
    const cfg = parseCalendarFile('officialYears:\n  - year: 2027\n    holidays: [{ date: 2027-01-01, title: 元旦 }]\n    workingDays: []\n');
    expect(cfg.officialYears?.[0].holidays[0]).toEqual({ date: '2027-01-01', title: '元旦' });
  });

  it('reports every problem with line and column', () => {
    const text = [
      'timeZone: Asia/Shanghai', // 1
      'endOfDay: 6pm', // 2
      'closures:', // 3
      '  - date: 2026-13-01', // 4
      '    title: 盘点', // 5
      '  - { date: 2026-06-01 }', // 6
      'holidays: []', // 7
    ].join('\n');
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        { file: 'company.yaml', line: 2, column: 11, path: 'endOfDay', message: 'endOfDay must be HH:mm in quotes, e.g. "18:00"' },
        { file: 'company.yaml', line: 4, column: 11, path: 'closures.0.date', message: "'2026-13-01' is not a calendar date" },
        { file: 'company.yaml', line: 6, column: 5, path: 'closures.1', message: "missing 'title'" },
        {
          file: 'company.yaml',
          line: 7,
          column: 1,
          path: 'holidays',
          message: "unknown key 'holidays': allowed keys are timeZone, endOfDay, closures, extraWorkingDays, officialYears",
        },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('puts positions in the message too', () => {
    expect(() => parseCalendarFile('timeZone: Mars/Olympus\n', 'c.yaml')).toThrow(/c\.yaml:1:11 \(timeZone\): unknown time zone 'Mars\/Olympus'/);
  });

  it('reports YAML syntax errors with their position', () => {
    const [p] = problemsOf('closures: [ { date: 2026-06-01, title: a }\n');
    expect(p.line).toBe(2);
    expect(p.message).toMatch(/flow sequence/i);
  });

  it('refuses a date that is both a closure and an extra working day, and official days outside their year', () => {
    const problems = problemsOf(
      [
        'closures: [{ date: 2026-03-07, title: a }]',
        'extraWorkingDays: [{ date: 2026-03-07, title: b }]',
        'officialYears:',
        '  - year: 2027',
        '    holidays: [{ date: 2028-01-01, title: 元旦 }]',
        '    workingDays: []',
      ].join('\n'),
    );
    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [2, 'extraWorkingDays.0.date', '2026-03-07 is listed both in closures and in extraWorkingDays: keep only one'],
      [5, 'officialYears.0.holidays.0.date', "'2028-01-01' is not in 2027"],
    ]);
  });
});
