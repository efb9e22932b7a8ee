import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBusinessCalendar, loadCalendarFile } from '../calendar/calendar-file';
import type { CliIo } from './cli-io';
import { runCli } from './main';

const ROOT = join(__dirname, '../..');
const BUNDLED = join(ROOT, 'definitions/calendar/calendar.yaml');
const NOTICES = join(ROOT, 'test/fixtures/calendar/notices');

/** A temp working directory with a copy of the bundled calendar file and the notices. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-calendar-'));
  mkdirSync(join(dir, 'definitions/calendar'), { recursive: true });
  copyFileSync(BUNDLED, join(dir, 'definitions/calendar/calendar.yaml'));
  for (const year of [2023, 2025, 2026]) copyFileSync(join(NOTICES, `${year}.txt`), join(dir, `${year}.txt`));
  return dir;
}

async function wf(cwd: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, exitCode: 0 };
  const code = await runCli(['node', 'wf', ...args], io);
  return { code, out, err };
}

const calendarIn = (dir: string): string => join(dir, 'definitions/calendar/calendar.yaml');

describe('wf calendar import', () => {
  // The default calendar file comes from the configuration; keep the test's environment out.
  const saved = { file: process.env.WF_CALENDAR_FILE, dir: process.env.WF_DEFINITIONS_DIR };
  beforeEach(() => {
    delete process.env.WF_CALENDAR_FILE;
    delete process.env.WF_DEFINITIONS_DIR;
  });
  afterAll(() => {
    if (saved.file !== undefined) process.env.WF_CALENDAR_FILE = saved.file;
    if (saved.dir !== undefined) process.env.WF_DEFINITIONS_DIR = saved.dir;
  });

  it('--dry-run prints what it understood and every unused line, and writes nothing', async () => {
    const dir = workspace();
    const result = await wf(dir, 'calendar', 'import', '2026.txt', '--dry-run');
    expect(result).toEqual({
      code: 0,
      err: [],
      out: [
        '读取 2026.txt：国务院办公厅关于2026年部分节假日安排的通知，2026年',
        '',
        '放假（共 33 天）：',
        '  第5行 一、元旦：2026-01-01（周四） 至 2026-01-03（周六），3天',
        '  第6行 二、春节：2026-02-15（周日） 至 2026-02-23（周一），9天',
        '  第7行 三、清明节：2026-04-04（周六） 至 2026-04-06（周一），3天',
        '  第8行 四、劳动节：2026-05-01（周五） 至 2026-05-05（周二），5天',
        '  第9行 五、端午节：2026-06-19（周五） 至 2026-06-21（周日），3天',
        '  第10行 六、中秋节：2026-09-25（周五） 至 2026-09-27（周日），3天',
        '  第11行 七、国庆节：2026-10-01（周四） 至 2026-10-07（周三），7天',
        '',
        '调休上班（共 6 天）：',
        '  第5行 元旦调休：2026-01-04（周日）',
        '  第6行 春节调休：2026-02-14（周六）',
        '  第6行 春节调休：2026-02-28（周六）',
        '  第8行 劳动节调休：2026-05-09（周六）',
        '  第11行 国庆节调休：2026-09-20（周日）',
        '  第11行 国庆节调休：2026-10-10（周六）',
        '',
        '未使用的行（不含放假安排）：',
        '  2026.txt:1:1 标题　国务院办公厅关于2026年部分节假日安排的通知',
        '  2026.txt:2:1 空行',
        '  2026.txt:3:1 主送单位　各省、自治区、直辖市人民政府，国务院各部委、各直属机构：',
        '  2026.txt:4:1 引言　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午…',
        '  2026.txt:12:1 结尾　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情…',
        '  2026.txt:13:1 空行',
        '  2026.txt:14:1 署名　国务院办公厅',
        '  2026.txt:15:1 成文日期　2025年11月4日',
        '',
        'chinese-days 1.5.7 已有 2026 年的官方数据，与通知一致。服务把两者合并，结果不变。',
        '试运行（--dry-run）：会在 definitions/calendar/calendar.yaml 的 officialYears 中新增 2026 年的条目（33 个假日、6 个调休上班日）。这次没有写入；核对无误后，去掉 --dry-run 再运行一次。',
      ],
    });
    expect(readFileSync(calendarIn(dir), 'utf8')).toBe(readFileSync(BUNDLED, 'utf8'));
  });

  it('writes the year into the configured calendar file and names the next step', async () => {
    const dir = workspace();
    const result = await wf(dir, 'calendar', 'import', '2025.txt');
    expect(result.code).toBe(0);
    expect(result.out.slice(-2)).toEqual([
      '已写入 definitions/calendar/calendar.yaml：在 officialYears 中新增 2025 年的条目（28 个假日、5 个调休上班日）。',
      '下一步：运行 npm run wf -- calendar reload，让运行中的服务读入新日历并重算未到期的期限（也可以重启服务）。',
    ]);
    expect(result.out).toContain('  第10行 六、国庆节、中秋节：2025-10-01（周三） 至 2025-10-08（周三），8天');
    const config = loadCalendarFile(calendarIn(dir));
    expect(config.officialYears?.map((y) => [y.year, y.holidays.length, y.workingDays.length])).toEqual([[2025, 28, 5]]);
    expect(config.officialYears?.[0].holidays).toContainEqual({ date: '2025-10-06', title: '国庆节、中秋节' });
    expect(readFileSync(calendarIn(dir), 'utf8').startsWith(readFileSync(BUNDLED, 'utf8'))).toBe(true);

    // Importing 2026 next adds an entry; importing 2025 again replaces its entry.
    expect((await wf(dir, 'calendar', 'import', '2026.txt')).code).toBe(0);
    const again = await wf(dir, 'calendar', 'import', '2025.txt');
    expect(again.out).toContain('已写入 definitions/calendar/calendar.yaml：在 officialYears 中替换 2025 年的条目（28 个假日、5 个调休上班日）。');
    expect(loadCalendarFile(calendarIn(dir)).officialYears?.map((y) => y.year)).toEqual([2025, 2026]);
  });

  it('writes through a symlinked calendar file, keeping the link', async () => {
    const dir = workspace();
    mkdirSync(join(dir, 'shared'));
    copyFileSync(BUNDLED, join(dir, 'shared/calendar.yaml'));
    symlinkSync(join(dir, 'shared/calendar.yaml'), join(dir, 'link.yaml'));
    expect((await wf(dir, 'calendar', 'import', '2026.txt', '--calendar', 'link.yaml')).code).toBe(0);
    expect(lstatSync(join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(loadCalendarFile(join(dir, 'shared/calendar.yaml')).officialYears?.map((y) => y.year)).toEqual([2026]);
  });

  it('refuses a notice with a typo, pointing at it, and leaves the calendar file alone', async () => {
    const dir = workspace();
    const calendar = join(dir, 'company.yaml');
    copyFileSync(join(ROOT, 'test/fixtures/calendar/company.yaml'), calendar);
    const lines = readFileSync(join(NOTICES, '2026.txt'), 'utf8').split('\n');
    lines[4] = '一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。1月4日（周日）上班。';
    lines[6] = '三、清明节：4月4日（周六）至6日（周一）放假，共4天。';
    writeFileSync(join(dir, 'notice.txt'), lines.join('\n'));
    const result = await wf(dir, 'calendar', 'import', 'notice.txt', '--calendar', 'company.yaml');
    expect(result.code).toBe(1);
    expect(result.out.slice(-3)).toEqual([
      '问题：',
      '  notice.txt:5:11 2026年1月1日是周四，不是周五：请核对日期和星期',
      '  notice.txt:7:25 写的是共4天，但2026年4月4日至2026年4月6日是3天：请核对日期和天数',
    ]);
    expect(result.err).toEqual(['发现 2 个问题，company.yaml 未修改：请对照通知原文改正 notice.txt 后再运行。']);
    expect(readFileSync(calendar, 'utf8')).toBe(readFileSync(join(ROOT, 'test/fixtures/calendar/company.yaml'), 'utf8'));
  });

  it('writes a year chinese-days does not know, and the calendar then covers it', async () => {
    const dir = workspace();
    // An invented notice (not the real 2027 one), with correct weekdays and no title: --year.
    writeFileSync(
      join(dir, '2027.txt'),
      ['一、元旦：1月1日（周五）至3日（周日）放假，共3天。', '二、春节：2月6日（周六）至13日（周六）放假调休，共8天。2月20日（周六）上班。'].join('\n'),
    );
    const calendar = join(dir, 'cal.yaml');
    writeFileSync(calendar, 'endOfDay: "17:30"\n');
    const result = await wf(dir, 'calendar', 'import', '2027.txt', '--year', '2027', '--calendar', calendar);
    expect(result.code).toBe(0);
    expect(result.out).toContain('chinese-days 1.5.7 没有 2027 年的数据：2027 年的期限将以日历文件中的这一条为准。');
    const cal = loadBusinessCalendar(calendar);
    expect(cal.hasDataFor(2027)).toBe(true);
    expect(cal.dayInfo('2027-02-20')).toEqual({ date: '2027-02-20', working: true, reason: 'adjusted-working-day', title: '春节调休', provisional: false });
    expect(cal.isWorkingDay('2027-02-08')).toBe(false);
    expect(
      readFileSync(calendar, 'utf8').startsWith('endOfDay: "17:30"\nofficialYears:\n  # 2027年部分节假日安排（wf calendar import）\n  - year: 2027\n'),
    ).toBe(true);
  });

  it('says where the 元旦 days of the year before went', async () => {
    const dir = workspace();
    const result = await wf(dir, 'calendar', 'import', '2023.txt');
    expect(result.code).toBe(0);
    expect(result.out).toContain('2022-12-31（元旦）属于2022年：写入 officialYears 中新建的 2022 年条目，只含这些天；2022年其余日期仍以 chinese-days 为准。');
    expect(loadCalendarFile(calendarIn(dir)).officialYears?.map((y) => y.year)).toEqual([2022, 2023]);
  });

  it('warns when the notice and chinese-days disagree, saying how the two are merged', async () => {
    const dir = workspace();
    const text = readFileSync(join(NOTICES, '2026.txt'), 'utf8').replace('9月20日（周日）、10月10日（周六）上班', '10月10日（周六）上班');
    writeFileSync(join(dir, 'notice.txt'), text);
    const result = await wf(dir, 'calendar', 'import', 'notice.txt', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.out).toEqual(
      expect.arrayContaining([
        '注意：chinese-days 1.5.7 已有 2026 年的官方数据，与通知不一致。服务把两者合并：文件中的日期会加进去（同一天以文件中的名称为准），',
        '但文件去不掉 chinese-days 里的日期；同一天一边是假日、一边是调休上班日时，按上班算。',
        '  只在通知中：假日 无；调休上班 无',
        '  只在 chinese-days 中（仍然生效）：假日 无；调休上班 2026-09-20',
      ]),
    );
  });

  it('fails plainly on a missing notice, a contradicting --year, and a bad --year', async () => {
    const dir = workspace();
    await expect(wf(dir, 'calendar', 'import', 'nope.txt')).resolves.toEqual({ code: 1, out: [], err: ['错误：读不到通知文件 nope.txt'] });
    const contradiction = await wf(dir, 'calendar', 'import', '2026.txt', '--year', '2027');
    expect(contradiction.code).toBe(1);
    expect(contradiction.out).toContain('  2026.txt:1:9 标题写的是2026年，但指定的年份是2027年：请确认通知和年份');
    const bad = await wf(dir, 'calendar', 'import', '2026.txt', '--year', 'next');
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toMatch(/the year must be a whole number from 2000 to 2200/);
    expect(existsSync(`${calendarIn(dir)}.${process.pid}.tmp`)).toBe(false);
    expect(readFileSync(calendarIn(dir), 'utf8')).toBe(readFileSync(BUNDLED, 'utf8'));
  });

  it('is listed under wf calendar', async () => {
    const help = await wf(workspace(), 'calendar', '--help');
    expect(help.out.join('\n')).toMatch(/import \[options\] <file>/);
  });
});
