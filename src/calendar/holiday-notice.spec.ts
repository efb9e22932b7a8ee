import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import chineseDays from 'chinese-days/dist/chinese-days.json';
import { parseHolidayNotice, type NoticeProblem } from './holiday-notice';

const NOTICES = join(__dirname, '../../test/fixtures/calendar/notices');
const notice = (year: number): string => readFileSync(join(NOTICES, `${year}.txt`), 'utf8');
const official = chineseDays as { holidays: Record<string, string>; workdays: Record<string, string> };
const datesIn = (map: Record<string, string>, year: number): string[] =>
  Object.keys(map)
    .filter((d) => d.startsWith(`${year}-`))
    .sort();

/** The 2026 notice with one line replaced (lines are 1-based, as in the messages). */
function notice2026With(line: number, text: string): string {
  const lines = notice(2026).split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

function problemsOf(text: string): NoticeProblem[] {
  return [...parseHolidayNotice(text).problems];
}

describe('parseHolidayNotice: round trip against chinese-days', () => {
  // The package's data was made from these same notices, so the dates must agree exactly.
  it.each([
    { year: 2025, extra: [] as string[] },
    { year: 2026, extra: [] },
    // 2023: 元旦 runs 2022-12-31 to 2023-01-02; chinese-days files the 31st under 2022.
    { year: 2023, extra: ['2022-12-31'] },
    // 2024: single days "与周末连休" and a 鼓励 sentence that changes no official day.
    { year: 2024, extra: [] },
  ])('the $year notice yields exactly the package holidays and adjusted working days', ({ year, extra }) => {
    const parsed = parseHolidayNotice(notice(year));
    expect(parsed.problems).toEqual([]);
    expect(parsed.year).toBe(year);
    expect(parsed.holidays.map((d) => d.date)).toEqual([...extra, ...datesIn(official.holidays, year)].sort());
    expect(parsed.workingDays.map((d) => d.date)).toEqual(datesIn(official.workdays, year));
  });

  it('understands each item of the 2025 notice, titling days by the item', () => {
    const parsed = parseHolidayNotice(notice(2025));
    expect(parsed.title).toBe('国务院办公厅关于2025年部分节假日安排的通知');
    expect(
      parsed.items.map((i) => [
        i.line,
        i.numeral,
        i.title,
        i.holidayBlocks.map((b) => `${b.start}..${b.end}/${b.declaredDays}`),
        i.workingDays.map((w) => w.date),
      ]),
    ).toEqual([
      [5, '一', '元旦', ['2025-01-01..2025-01-01/1'], []],
      [6, '二', '春节', ['2025-01-28..2025-02-04/8'], ['2025-01-26', '2025-02-08']],
      [7, '三', '清明节', ['2025-04-04..2025-04-06/3'], []],
      [8, '四', '劳动节', ['2025-05-01..2025-05-05/5'], ['2025-04-27']],
      [9, '五', '端午节', ['2025-05-31..2025-06-02/3'], []],
      [10, '六', '国庆节、中秋节', ['2025-10-01..2025-10-08/8'], ['2025-09-28', '2025-10-11']],
    ]);
    expect(parsed.holidays).toContainEqual({ date: '2025-10-06', title: '国庆节、中秋节' });
    expect(parsed.holidays).toContainEqual({ date: '2025-01-28', title: '春节' });
    expect(parsed.workingDays).toContainEqual({ date: '2025-02-08', title: '春节调休' });
    expect(parsed.workingDays).toContainEqual({ date: '2025-09-28', title: '国庆节、中秋节调休' });
  });

  it('lists the lines it did not use, with their kind, as ignored and not as problems', () => {
    const parsed = parseHolidayNotice(notice(2026));
    expect(parsed.ignored.map((i) => `${i.line}:${i.column} ${i.kind}`)).toEqual([
      '1:1 title',
      '2:1 blank',
      '3:1 addressee',
      '4:1 introduction',
      '12:1 closing',
      '13:1 blank',
      '14:1 signature',
      '15:1 date',
    ]);
    const advice = parseHolidayNotice(notice(2024)).ignored.find((i) => i.kind === 'advice');
    expect(advice).toEqual({ line: 6, column: 47, kind: 'advice', text: '鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息' });
  });

  it('reads ranges across months and years, months left out, several working days, full-width digits, CRLF', () => {
    const text = [
      '国务院办公厅关于2013年部分节假日安排的通知',
      '　　一、元旦：1月1日至3日放假调休，共3天。1月5日（星期六）、6日（星期日）上班。',
      '二、春节：２月９日至１５日放假调休，共７天。2月16日（星期六）、17日（星期日）上班。',
      '三、劳动节：4月29日至5月1日放假调休，共3天。4月27日（星期六）、28日（星期日）上班。',
    ].join('\r\n');
    const parsed = parseHolidayNotice(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.holidays.map((d) => d.date)).toEqual([
      '2013-01-01',
      '2013-01-02',
      '2013-01-03',
      '2013-02-09',
      '2013-02-10',
      '2013-02-11',
      '2013-02-12',
      '2013-02-13',
      '2013-02-14',
      '2013-02-15',
      '2013-04-29',
      '2013-04-30',
      '2013-05-01',
    ]);
    expect(parsed.workingDays.map((d) => d.date)).toEqual(['2013-01-05', '2013-01-06', '2013-02-16', '2013-02-17', '2013-04-27', '2013-04-28']);
    expect(parsed.items[0].holidayBlocks[0].column).toBe(8);
  });

  it('takes the year from the option when the title is missing, and refuses a contradiction', () => {
    const items = notice(2026).split('\n').slice(4, 11).join('\n');
    expect(parseHolidayNotice(items, { year: 2026 }).holidays).toHaveLength(33);
    expect(problemsOf(items)).toEqual([
      { line: 1, column: 1, code: 'year-unknown', message: '找不到年份：标题应为「国务院办公厅关于YYYY年部分节假日安排的通知」，或者另行指定年份' },
    ]);
    expect(parseHolidayNotice(notice(2026), { year: 2027 }).problems).toEqual([
      { line: 1, column: 9, code: 'year-mismatch', message: '标题写的是2026年，但指定的年份是2027年：请确认通知和年份' },
    ]);
  });
});

describe('parseHolidayNotice: refuses a notice with a typo, pointing at it', () => {
  it('a weekday that does not match the date', () => {
    const text = notice2026With(5, '一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。1月4日（周日）上班。');
    expect(problemsOf(text)).toEqual([{ line: 5, column: 11, code: 'weekday-mismatch', message: '2026年1月1日是周四，不是周五：请核对日期和星期' }]);
  });

  it('a wrong weekday in a working day and in a long parenthesis', () => {
    const text = notice2026With(
      6,
      '二、春节：2月15日（农历腊月二十八、周一）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（星期日）上班。',
    );
    expect(problemsOf(text)).toEqual([
      { line: 6, column: 20, code: 'weekday-mismatch', message: '2026年2月15日是周日，不是周一：请核对日期和星期' },
      { line: 6, column: 63, code: 'weekday-mismatch', message: '2026年2月28日是周六，不是星期日：请核对日期和星期' },
    ]);
  });

  it('共N天 that does not match the range', () => {
    const text = notice2026With(7, '三、清明节：4月4日（周六）至6日（周一）放假，共4天。');
    expect(problemsOf(text)).toEqual([
      { line: 7, column: 25, code: 'day-count-mismatch', message: '写的是共4天，但2026年4月4日至2026年4月6日是3天：请核对日期和天数' },
    ]);
    expect(problemsOf(notice2026With(5, '一、元旦：1月1日（周四）放假2天，不调休。'))).toEqual([
      { line: 5, column: 16, code: 'day-count-mismatch', message: '写的是共2天，但2026年1月1日至2026年1月1日是1天：请核对日期和天数' },
    ]);
  });

  it('a garbled item', () => {
    const text = notice2026With(
      6,
      '二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放价调休，共9天。2月14日（周六）、2月28日（周六）上班。',
    );
    expect(problemsOf(text)).toEqual([
      {
        line: 6,
        column: 38,
        code: 'item-unreadable',
        message: '第二条从「放价调休，共9天」起看不懂：应写成「1月1日（周四）至3日（周六）放假调休，共3天。」或「1月4日（周日）上班。」这样的原文',
      },
    ]);
    expect(problemsOf(notice2026With(8, '四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上版。'))).toEqual([
      expect.objectContaining({ line: 8, column: 39, code: 'item-unreadable' }),
    ]);
    expect(problemsOf(notice2026With(8, '四、劳动节5月1日至5日放假调休，共5天。'))).toEqual([
      { line: 8, column: 3, code: 'item-unreadable', message: '第四条：编号后应为节日名称和冒号，如「四、元旦：」' },
    ]);
    expect(problemsOf(notice2026With(9, '五、端午节：6月19日（周五）至21日（周日）休息3天。'))).toEqual([
      expect.objectContaining({ line: 9, column: 24, code: 'item-unreadable' }),
    ]);
  });

  it('a date that does not exist, or lies outside the year', () => {
    expect(problemsOf(notice2026With(6, '二、春节：2月30日至3月2日放假调休，共9天。'))).toEqual([
      { line: 6, column: 6, code: 'invalid-date', message: '「2月30日」不是有效日期：2026年2月只有28天' },
    ]);
    expect(problemsOf(notice2026With(8, '四、劳动节：2025年5月1日至5日放假调休，共5天。5月9日（周六）上班。'))).toEqual([
      { line: 8, column: 7, code: 'date-outside-year', message: '「2025年5月1日」不在2026年：这份通知只安排2026年（只有元旦一条可以写2025年12月）' },
    ]);
    expect(problemsOf(notice2026With(5, '一、元旦：2025年12月31日至2026年1月2日放假调休，共3天。1月4日（周日）上班。'))).toEqual([]);
  });

  it('a range that ends before it starts', () => {
    expect(problemsOf(notice2026With(9, '五、端午节：6月21日至6月19日放假，共3天。'))).toEqual([
      { line: 9, column: 13, code: 'range-reversed', message: '「6月19日」早于开始日期「6月21日」：放假的结束日期不能在开始之前' },
    ]);
  });

  it('a day listed twice', () => {
    const text = notice2026With(10, '六、中秋节：9月25日（周五）至27日（周日）放假，共3天。10月1日（周四）上班。');
    expect(problemsOf(text)).toEqual([
      // Reported where the date is listed the second time, naming the first.
      { line: 11, column: 7, code: 'overlapping-days', message: '2026年10月1日在第10行已是中秋节调休上班日，这里又列为国庆节假日：同一天只能出现一次' },
    ]);
  });

  it('an unknown holiday name, an unnumbered item, no items', () => {
    expect(problemsOf(notice2026With(9, '五、端阳节：6月19日（周五）至21日（周日）放假，共3天。'))).toEqual([
      { line: 9, column: 3, code: 'unknown-holiday', message: '「端阳节」不是通知里的节日名称（应为元旦、春节、清明节、劳动节、端午节、中秋节、国庆节之一）' },
    ]);
    expect(problemsOf(notice2026With(9, '端午节：6月19日（周五）至21日（周日）放假，共3天。'))).toEqual([
      { line: 9, column: 1, code: 'unnumbered-item', message: '这一行像节假日条目，但行首没有「一、」这样的编号：请按通知原文粘贴整行' },
    ]);
    expect(problemsOf('国务院办公厅关于2027年部分节假日安排的通知\n\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n')).toEqual([
      { line: 1, column: 1, code: 'no-items', message: '没有找到任何节假日条目（形如「一、元旦：1月1日……」的编号行）：请粘贴通知全文' },
    ]);
  });
});
