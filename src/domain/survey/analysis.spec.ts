import { garden000, garden000Previous } from '../../../test/fixtures/survey/worked-examples';
import { analyseRound, groupComments } from './analysis';
import { DEFAULT_QUESTIONNAIRE } from './questionnaire';
import { surveyStatistics } from './statistics';

const current = surveyStatistics(garden000());
const previous = surveyStatistics(garden000Previous());

describe('analyseRound (000 篇3 round against the previous half-year)', () => {
  const analysis = analyseRound({ current, previous, questionnaire: DEFAULT_QUESTIONNAIRE });

  it('finds the lowest satisfaction and the highest dissatisfaction, which differ', () => {
    // 绿化与消杀: 148/160 = 92.5% satisfied, but its 10 unsatisfied ratings are mostly 一般 (neutral).
    expect(analysis.lowestSatisfaction).toEqual({ rate: 148 / 160, items: [{ key: 'greenery', label: '绿化与消杀' }] });
    // 社区文化与会所: 5 of 140 ratings are 不满意/非常不满意 (3.6%), the highest share.
    expect(analysis.highestDissatisfaction).toEqual({ rate: 5 / 140, items: [{ key: 'community', label: '社区文化与会所' }] });
  });

  it('lists the items that fell against the previous round with both figures, biggest drop first', () => {
    expect(analysis.fell.map((f) => [f.label, f.previous, f.current])).toEqual([
      ['绿化与消杀', 146 / 150, 148 / 160],
      ['社区文化与会所', 140 / 142, 134 / 140],
      ['清洁与垃圾', 1, 158 / 160],
      ['投诉处理', 143 / 150, 152 / 160],
    ]);
    expect(analysis.fell.every((f) => f.change < 0)).toBe(true);
    expect(analysis.rose.map((r) => r.key)).toEqual(['order', 'traffic', 'repairs', 'elevator', 'utilities']);
    expect(analysis.overall.previous).toBeCloseTo(previous.overallSatisfaction!, 12);
    expect(analysis.overall.change).toBeCloseTo(1380 / 1420 - previous.overallSatisfaction!, 12);
  });

  it('groups the written comments by the item they mention, for marking common issues', () => {
    const groups = analysis.commentGroups.map((g) => [g.key, g.comments.map((c) => c.form), g.commenters, g.commonIssueCandidate]);
    expect(groups).toEqual([
      ['community', [3, 11, 17, 25], 4, true], // 健身设施 (2) and 文化活动 (2): 000 篇3 issues 1 and 2
      ['greenery', [40, 52], 2, true], // 蚊虫消杀: issue 3
      ['traffic', [64], 1, false],
      ['elevator', [99], 1, false],
      ['other', [80], 1, false],
    ]);
    const community = analysis.commentGroups[0];
    expect(community.comments[0]).toMatchObject({ id: '3:other', householdId: 'E花园-1-104', keywords: ['健身', '休闲'] });
    expect(analysis.commentGroups[1].comments.map((c) => c.keywords)).toEqual([
      ['消杀', '蚊', '虫'],
      ['消杀', '蚊'],
    ]);
  });

  it('without a previous round, compares nothing', () => {
    const alone = analyseRound({ current });
    expect(alone.fell).toEqual([]);
    expect(alone.overall).toEqual({ current: 1380 / 1420, previous: null, change: null });
  });
});

describe('ties and edge cases', () => {
  it('lists every item tied at the extreme, compared exactly (3/4 = 6/8)', () => {
    const statistics = surveyStatistics({
      questionnaire: DEFAULT_QUESTIONNAIRE,
      households: 8,
      issued: 8,
      responses: Array.from({ length: 8 }, (_, i) => ({
        ratings: { order: i < 4 ? (i < 3 ? 'satisfied' : 'dissatisfied') : null, elevator: i < 6 ? 'satisfied' : 'veryDissatisfied' },
      })),
    });
    const a = analyseRound({ current: statistics });
    expect(a.lowestSatisfaction!.items.map((i) => i.key)).toEqual(['order', 'elevator']);
    expect(a.highestDissatisfaction!.items.map((i) => i.key)).toEqual(['order', 'elevator']);
  });

  it('has no highest dissatisfaction when nobody was dissatisfied, and no lowest when nobody rated', () => {
    const none = surveyStatistics({ questionnaire: DEFAULT_QUESTIONNAIRE, households: 1, issued: 1, responses: [{ ratings: { order: 'neutral' } }] });
    expect(analyseRound({ current: none }).highestDissatisfaction).toBeNull();
    const blank = surveyStatistics({ questionnaire: DEFAULT_QUESTIONNAIRE, households: 1, issued: 1, responses: [{}] });
    expect(analyseRound({ current: blank }).lowestSatisfaction).toBeNull();
  });

  it('falls back to the parts of the item label without a questionnaire', () => {
    const statistics = surveyStatistics({
      questionnaire: DEFAULT_QUESTIONNAIRE,
      households: 2,
      issued: 2,
      responses: [{ comments: { other: '垃圾清运不及时' } }, { householdId: 'A', comments: { other: '停车难' } }],
    });
    expect(groupComments({ statistics }).map((g) => [g.key, g.commenters])).toEqual([
      ['traffic', 1],
      ['cleaning', 1],
    ]);
  });
});
