import { yearCoverage } from './year-coverage';

const base = { year: '2026', minimum: 0.4, decisive: true, rounds: ['SR-翠湖-2026-03-半年度'] };

describe('yearCoverage (002 4.1: at least 40% of all customers per year)', () => {
  it('counts the households already surveyed this year and the planned ones against all customers', () => {
    const c = yearCoverage({ ...base, customers: 1000, surveyedBefore: 200, planned: 180 });
    expect(c).toMatchObject({ covered: 380, share: 0.38, shortfall: true, missing: 20 });
    expect(c.message).toBe('本年度调查覆盖率 38.0%（已调查 200 户，本次计划 180 户，客户总数 1000 户），低于每年至少 40% 的要求（002 4.1），尚差 20 户');
  });

  it('meets the rule at exactly 40%, rounding the needed households up', () => {
    expect(yearCoverage({ ...base, customers: 1000, surveyedBefore: 200, planned: 200 })).toMatchObject({ share: 0.4, shortfall: false, missing: 0 });
    // 40% of 399 households is 159.6: 160 are needed.
    expect(yearCoverage({ ...base, customers: 399, surveyedBefore: 0, planned: 159 })).toMatchObject({ shortfall: true, missing: 1 });
    expect(yearCoverage({ ...base, customers: 399, surveyedBefore: 0, planned: 160 }).message).toContain('达到每年至少 40% 的要求');
  });

  it('says the share cannot be computed before any roster of the project is known', () => {
    const c = yearCoverage({ ...base, customers: null, surveyedBefore: 0, planned: 200 });
    expect(c).toMatchObject({ share: null, shortfall: false, covered: 200 });
    expect(c.message).toContain('尚无该项目的业主名单');
  });
});
