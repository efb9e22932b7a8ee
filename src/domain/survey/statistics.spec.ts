import ExcelJS from 'exceljs';
import { ErrorCode } from '../../common/app-error';
import { percent } from '../../documents/template-helpers';
import { garden000, internal004, internal004AsPublished, INTERNAL_004_QUESTIONNAIRE } from '../../../test/fixtures/survey/worked-examples';
import { DEFAULT_QUESTIONNAIRE } from './questionnaire';
import { isRoundValid, issuanceRate, itemSatisfaction, levelDistribution, meanPoints, overallSatisfaction, responseRate, surveyStatistics } from './statistics';
import { exportStatisticsXlsx, F002_FORM_NO } from './statistics-xlsx';
import { thrownAppError as thrown } from '../../../test/support/app-error';

describe('worked example 000 篇3 (E花园 open letter)', () => {
  const round = garden000();

  it('issuance: 313 of 399 households is 78.4%', () => {
    const rate = issuanceRate({ issued: 313, households: 399 });
    expect(rate).toBeCloseTo(0.78446, 5);
    // The letter prints "发放率79%". 313/399 = 78.45%: 79% is neither the one-decimal figure
    // (78.4%) nor a whole-percent rounding (78%); only rounding up (ceil) gives 79. We print the
    // computed 78.4% and do not reproduce the letter's figure.
    expect(percent(rate)).toBe('78.4%');
  });

  it('response: 160 of 313 forms is 51.1%', () => {
    expect(percent(responseRate({ issued: 313, returned: 160 }))).toBe('51.1%');
  });

  it('overall satisfaction from the 160 raw forms is 97.2% (1,380 satisfied of 1,420 ratings)', () => {
    expect(round.responses).toHaveLength(160);
    const rate = overallSatisfaction({ questionnaire: round.questionnaire, responses: round.responses });
    expect(rate).toBeCloseTo(1380 / 1420, 12);
    expect(percent(rate)).toBe('97.2%');
  });

  it('gives every F002 figure at once', () => {
    const s = surveyStatistics(round);
    expect(s).toMatchObject({
      households: 399,
      issued: 313,
      returned: 160,
      ratings: 1420,
      satisfiedRatings: 1380,
      dissatisfiedRatings: 10,
    });
    expect([s.issuanceRate, s.responseRate, s.overallSatisfaction].map((r) => percent(r))).toEqual(['78.4%', '51.1%', '97.2%']);
    const community = s.items.find((i) => i.key === 'community')!;
    expect(community).toMatchObject({ label: '社区文化与会所', group: '客户服务', ratings: 140, blanks: 20, satisfied: 134, dissatisfied: 5 });
    expect(percent(community.satisfaction)).toBe('95.7%');
    expect(percent(community.dissatisfaction)).toBe('3.6%');
    expect(community.distribution.map((d) => [d.label, d.count])).toEqual([
      ['非常满意', 30],
      ['满意', 104],
      ['一般', 1],
      ['不满意', 4],
      ['非常不满意', 1],
    ]);
    expect(s.points).toBeNull();
    expect(s.comments).toHaveLength(9);
    expect(s.comments[0]).toMatchObject({ id: '3:other', form: 3, householdId: 'E花园-1-104', question: 'other', questionLabel: '其他意见或建议' });
    expect(s.levels.map((l) => [l.label, l.satisfied, l.dissatisfied])).toEqual([
      ['非常满意', true, false],
      ['满意', true, false],
      ['一般', false, false],
      ['不满意', false, true],
      ['非常不满意', false, true],
    ]);
  });

  it('is not a valid round under 003 四.(四): 51.1% does not exceed 85%', () => {
    expect(isRoundValid({ responseRate: 160 / 313, threshold: 0.85 })).toBe(false);
  });
});

describe('worked example 004 第四篇 (internal survey, points 5/4/0)', () => {
  it('12 issued, 12 returned (100%), average score 94.4', () => {
    const { questionnaire, issued, responses } = internal004();
    expect(percent(responseRate({ issued, returned: responses.length }))).toBe('100.0%');
    const points = meanPoints({ questionnaire, responses })!;
    expect(points).toEqual({ ratings: 50, totalPoints: 236, mean: 4.72, max: 5, score: expect.closeTo(94.4, 10), displayScore: 94.4 });
    const s = surveyStatistics({ questionnaire, households: 12, issued, responses });
    expect(s.points!.score.toFixed(1)).toBe('94.4');
    expect(s.items.find((i) => i.key === 'workshops')!.points).toMatchObject({ ratings: 5, totalPoints: 20, score: 80 });
  });

  it('documents that the per-pair figures as printed give 92.9, not 94.4', () => {
    // 004 lists 13 sections (not 12) with 70 ratings: 49 × 5, 20 × 4, 1 × 0 = 325 points; 325 / 70 / 5
    // = 92.86. No natural reading of the printed pairs gives 94.4 (per-respondent means: 93.8;
    // per-department means: 92.3), so the report's figure and its detail disagree.
    const points = meanPoints({ questionnaire: INTERNAL_004_QUESTIONNAIRE, responses: internal004AsPublished() })!;
    expect(points).toMatchObject({ ratings: 70, totalPoints: 325 });
    expect(points.score.toFixed(1)).toBe('92.9');
  });

  it('has no points score on a scale without points', () => {
    expect(meanPoints({ questionnaire: DEFAULT_QUESTIONNAIRE, responses: garden000().responses })).toBeNull();
  });
});

describe('rates', () => {
  it('are null when the denominator is 0, and refuse impossible counts', () => {
    expect(issuanceRate({ issued: 0, households: 0 })).toBeNull();
    expect(responseRate({ issued: 0, returned: 0 })).toBeNull();
    expect(thrown(() => responseRate({ issued: 10, returned: 11 })).code).toBe(ErrorCode.BadRequest);
    expect(thrown(() => issuanceRate({ issued: 400, households: 399 })).message).toMatch(/cannot exceed households/);
    expect(thrown(() => responseRate({ issued: -1, returned: 0 })).message).toMatch(/whole number/);
  });
});

describe('isRoundValid', () => {
  it('needs the rate to EXCEED the threshold (003: 回收率超过85%), unless the rule says reaches', () => {
    expect(isRoundValid({ responseRate: 86 / 100, threshold: 0.85 })).toBe(true);
    expect(isRoundValid({ responseRate: 85 / 100, threshold: 0.85 })).toBe(false);
    expect(isRoundValid({ responseRate: 17 / 20, threshold: 0.85, comparison: 'reaches' })).toBe(true);
    expect(isRoundValid({ responseRate: 84 / 100, threshold: 0.85, comparison: 'reaches' })).toBe(false);
    expect(isRoundValid({ responseRate: null, threshold: 0 })).toBe(false);
    expect(thrown(() => isRoundValid({ responseRate: 0.9, threshold: 85 })).message).toMatch(/0.85 for 85%/);
  });
});

describe('item satisfaction and distribution', () => {
  const questionnaire = DEFAULT_QUESTIONNAIRE;
  const responses = [
    { ratings: { elevator: 'verySatisfied', order: 'neutral' } },
    { ratings: { elevator: 'dissatisfied', order: '' } },
    { ratings: { elevator: 'satisfied', order: null } },
    { ratings: {} },
  ];

  it('divides satisfied ratings by the ratings of that item; blanks are not ratings', () => {
    const rates = itemSatisfaction({ questionnaire, responses });
    expect(rates.find((r) => r.key === 'elevator')).toEqual({ key: 'elevator', label: '电梯', ratings: 3, satisfied: 2, rate: 2 / 3 });
    expect(rates.find((r) => r.key === 'order')).toEqual({ key: 'order', label: '秩序维护', ratings: 1, satisfied: 0, rate: 0 });
    expect(rates.find((r) => r.key === 'cleaning')!.rate).toBeNull();
    expect(overallSatisfaction({ questionnaire, responses })).toBe(2 / 4);
  });

  it('counts each level, per item or pooled', () => {
    expect(levelDistribution({ questionnaire, responses, item: 'elevator' }).map((d) => d.count)).toEqual([1, 1, 0, 1, 0]);
    const pooled = levelDistribution({ questionnaire, responses });
    expect(pooled.map((d) => d.count)).toEqual([1, 1, 1, 1, 0]);
    expect(pooled[0].share).toBe(0.25);
    expect(thrown(() => levelDistribution({ questionnaire, responses, item: 'lift' })).message).toMatch(/unknown item 'lift'/);
  });

  it('refuses forms that do not fit the questionnaire, naming each by JSON path', () => {
    const err = thrown(() =>
      surveyStatistics({ questionnaire, households: 10, issued: 3, responses: [...responses.slice(0, 2), { ratings: { elevator: 'great' } }] }),
    );
    expect(err.code).toBe(ErrorCode.PayloadInvalid);
    expect(err.details!.errors).toEqual([{ path: '$[2].ratings.elevator', message: expect.stringContaining("unknown level 'great'") }]);
  });
});

describe('exportStatisticsXlsx (F002)', () => {
  it('writes the local date of preparedAt (an instant), not its UTC date', async () => {
    const statistics = surveyStatistics(garden000());
    const dateCell = async (options: { preparedAt: string; timeZone?: string }) => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await exportStatisticsXlsx({ statistics, ...options })) as unknown as ArrayBuffer);
      return workbook.worksheets[0].getCell(2, 8).value;
    };
    // Compiled at 02:13 on 2 December in Shanghai (still 1 December in UTC).
    await expect(dateCell({ preparedAt: '2026-12-01T18:13:58.216Z' })).resolves.toBe('2026年12月2日');
    await expect(dateCell({ preparedAt: '2026-12-01T18:13:58.216Z', timeZone: 'UTC' })).resolves.toBe('2026年12月1日');
    await expect(dateCell({ preparedAt: '2026-12-02' })).resolves.toBe('2026年12月2日');
  });

  it('writes the F002 layout that reads back with the same figures', async () => {
    const statistics = surveyStatistics(garden000());
    const buffer = await exportStatisticsXlsx({
      statistics,
      serviceCenter: 'E花园管理处',
      project: 'E花园',
      batch: '2026-H1',
      preparedBy: '李客服',
      preparedAt: '2026-06-30',
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('统计表');
    expect(sheet.getCell('A1').value).toBe('客户意见调查统计表');
    const header = sheet.getRow(1).values as unknown[];
    expect(header).toContain(`表号：${F002_FORM_NO}`);
    expect((sheet.getRow(2).values as unknown[]).slice(1)).toEqual([
      '服务中心',
      'E花园管理处',
      '项目',
      'E花园',
      '调查批次',
      '2026-H1',
      '统计日期',
      '2026年6月30日',
    ]);

    const summaryHeader = (sheet.getRow(4).values as unknown[]).slice(1);
    const summary = (sheet.getRow(5).values as unknown[]).slice(1);
    const at = (name: string) => summary[summaryHeader.indexOf(name)];
    expect(at('总户数')).toBe(399);
    expect(at('发放份数')).toBe(313);
    expect(at('回收份数')).toBe(160);
    expect(at('发放率')).toBeCloseTo(313 / 399, 12);
    expect(at('回收率')).toBeCloseTo(160 / 313, 12);
    expect(at('总满意率')).toBeCloseTo(1380 / 1420, 12);
    expect(sheet.getCell(5, summaryHeader.indexOf('总满意率') + 1).numFmt).toBe('0.0%');

    const itemHeader = (sheet.getRow(7).values as unknown[]).slice(1);
    expect(itemHeader).toEqual(['序号', '服务项目', '非常满意', '满意', '一般', '不满意', '非常不满意', '评价数', '未填', '满意数', '满意率', '不满意率']);
    const rows = Array.from({ length: 10 }, (_, i) => (sheet.getRow(8 + i).values as unknown[]).slice(1));
    expect(rows[7].slice(0, 10)).toEqual([8, '社区文化与会所', 30, 104, 1, 4, 1, 140, 20, 134]);
    expect(rows[7][10]).toBeCloseTo(134 / 140, 12);
    expect(rows[9].slice(0, 1)).toEqual(['合计']);
    expect(rows[9].slice(7, 10)).toEqual([1420, 20, 1380]);
    const cells: string[] = [];
    sheet.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    expect(cells.some((c) => c.startsWith('说明：满意率 = 该项满意等级（非常满意、满意）'))).toBe(true);
    expect(cells).toContain('统计人：李客服');
  });

  it('adds the average score column when the scale has points', async () => {
    const { questionnaire, issued, responses } = internal004();
    const buffer = await exportStatisticsXlsx({ statistics: surveyStatistics({ questionnaire, households: 12, issued, responses }) });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const summaryHeader = (sheet.getRow(4).values as unknown[]).slice(1);
    expect(summaryHeader[summaryHeader.length - 1]).toBe('平均得分');
    expect((sheet.getRow(5).values as unknown[]).slice(1)[summaryHeader.length - 1]).toBe(94.4);
  });
});
