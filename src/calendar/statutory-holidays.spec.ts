import { execFileSync } from 'node:child_process';
import { CHINESE_DAYS_SOURCE } from './business-calendar';
import { statutoryHolidays } from './statutory-holidays';

const official = (year: number) => Object.keys(CHINESE_DAYS_SOURCE.holidays).filter((d) => d.startsWith(`${year}-`));

describe('statutoryHolidays (provisional rule of 《全国年节及纪念日放假办法》, 2024 revision)', () => {
  it('gives 13 statutory days a year, on the right lunar and solar-term dates', () => {
    const y2027 = statutoryHolidays(2027).filter((d) => !d.makeUp);
    expect(y2027.map((d) => `${d.date} ${d.title}`)).toEqual([
      '2027-01-01 元旦',
      '2027-02-05 春节',
      '2027-02-06 春节',
      '2027-02-07 春节',
      '2027-02-08 春节', // 除夕 to 正月初三
      '2027-04-05 清明节',
      '2027-05-01 劳动节',
      '2027-05-02 劳动节',
      '2027-06-09 端午节', // 五月初五
      '2027-09-15 中秋节', // 八月十五
      '2027-10-01 国庆节',
      '2027-10-02 国庆节',
      '2027-10-03 国庆节',
    ]);
  });

  it('makes up a holiday that falls on a weekend on the next working days (article 6)', () => {
    const makeUp = (year: number) =>
      statutoryHolidays(year)
        .filter((d) => d.makeUp)
        .map((d) => `${d.date} ${d.title}`);
    expect(makeUp(2027)).toEqual([
      '2027-02-09 春节补假',
      '2027-02-10 春节补假',
      '2027-05-03 劳动节补假',
      '2027-05-04 劳动节补假',
      '2027-10-04 国庆节补假',
      '2027-10-05 国庆节补假',
    ]);
    // Sat 1 Jan 2028 is made up on Mon 3 Jan; 中秋 on 3 Oct 2028 is one day off with both names.
    expect(makeUp(2028)).toContain('2028-01-03 元旦补假');
    expect(statutoryHolidays(2028).find((d) => d.date === '2028-10-03')?.title).toBe('国庆节、中秋节');
  });

  it.each([2025, 2026])('every statutory day of %i is an official holiday of that year in chinese-days', (year) => {
    const off = new Set(official(year));
    for (const d of statutoryHolidays(year)) expect([d.date, off.has(d.date)]).toEqual([d.date, true]);
  });

  it('does not depend on the time zone the process runs in', () => {
    // tyme4ts computes lunar dates without Date objects; chinese-days' lunar functions shift west of UTC.
    const script = `require(${JSON.stringify(require.resolve('../../test/support/swc-register.js'))});
      const { statutoryHolidays } = require(${JSON.stringify(require.resolve('./statutory-holidays'))});
      process.stdout.write(JSON.stringify([2027, 2031, 2045].map(statutoryHolidays)));`;
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati']) {
      const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual([2027, 2031, 2045].map(statutoryHolidays));
    }
  });
});
