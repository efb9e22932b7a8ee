import { join } from 'node:path';
import { TemplateCatalog } from '../../documents/template-catalog';
import { garden000, garden000Previous, internal004 } from '../../../test/fixtures/survey/worked-examples';
import { analyseRound } from './analysis';
import { DEFAULT_QUESTIONNAIRE } from './questionnaire';
import { isRoundValid, surveyStatistics } from './statistics';
import { opinionsFromComments, SURVEY_TEMPLATE_FIELDS, type SurveyTemplateName } from './survey-documents';

const catalog = TemplateCatalog.fromDirectory(join(__dirname, '../../../templates'));
const statistics = surveyStatistics(garden000());
const previous = surveyStatistics(garden000Previous());
const analysis = analyseRound({ current: statistics, previous, questionnaire: DEFAULT_QUESTIONNAIRE });
const common = {
  serviceCenter: 'E花园管理处',
  project: 'E花园',
  batch: '2026年上半年',
  businessKey: 'KY-2026-H1-<01>',
  renderedAt: '2026-07-01T02:00:00.000Z',
};
const validity = { valid: isRoundValid({ responseRate: statistics.responseRate, threshold: 0.85 }), threshold: 0.85 };

/** The visible text of the body, tags removed, whitespace collapsed. */
function text(html: string): string {
  return html
    .replace(/^[\s\S]*<body>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('survey templates', () => {
  it.each(Object.keys(SURVEY_TEMPLATE_FIELDS) as SurveyTemplateName[])('%s reads exactly the fields listed in SURVEY_TEMPLATE_FIELDS', (name) => {
    expect(catalog.referencedRootFields(name)).toEqual([...SURVEY_TEMPLATE_FIELDS[name]].sort());
    // The open letter is for owners: the public sheet, without the business key or a print-time footer.
    expect([...catalog.partialsUsedBy(name)].sort()).toEqual(['layout', name === 'survey-notice' ? 'public-sheet' : 'sheet']);
  });

  it('F001 questionnaire: items × levels as boxes, ticked from answers, 调查人/日期, escaped', () => {
    const { html } = catalog.render('survey-questionnaire', {
      ...common,
      questionnaire: DEFAULT_QUESTIONNAIRE,
      household: { id: '1栋-2-301', building: '1栋', unit: '2', room: '301' },
      answers: { ratings: { elevator: 'dissatisfied', order: 'verySatisfied' }, comments: { other: '电梯<script>alert(1)</script>常坏' } },
      surveyor: '王客服',
      surveyedAt: '2026-06-10',
    });
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('<title>客户意见调查表</title>');
    expect(html).toContain('表号：QP-08-15-F001');
    expect(html).toContain('编号：KY-2026-H1-&lt;01&gt;');
    const t = text(html);
    for (const s of [
      '秩序维护',
      '道路交通与停车',
      '投诉处理',
      '非常满意',
      '非常不满意',
      '其他意见或建议',
      '1栋 2单元 301',
      '调查人：王客服',
      '日期：2026年6月10日',
    ])
      expect(t).toContain(s);
    expect(html).toContain('电梯&lt;script&gt;alert(1)&lt;/script&gt;常坏');
    expect(html).not.toContain('<script>');
    expect((html.match(/<td class="box">☑<\/td>/g) ?? []).length).toBe(2);
    expect((html.match(/☑/g) ?? []).length).toBe(2);
    expect((html.match(/<td class="box">□<\/td>/g) ?? []).length).toBe(9 * 5 - 2);
    // 电梯 row: 不满意 ticked (4th of 5 levels).
    const elevatorRow = html.slice(html.indexOf('>电梯</td>'), html.indexOf('</tr>', html.indexOf('>电梯</td>')));
    expect(elevatorRow.replace(/[^☑□]/g, '')).toBe('□□□☑□');
  });

  it('F001 questionnaire: a blank form for printing', () => {
    const t = text(catalog.render('survey-questionnaire', { ...common, questionnaire: DEFAULT_QUESTIONNAIRE }).html);
    expect(t).not.toContain('☑');
    expect(t).toContain('调查人： 日期： 年 月 日');
  });

  it('F002 statistics: the 000 figures, per-item rows and the validity verdict', () => {
    const { html } = catalog.render('survey-statistics', {
      ...common,
      statistics,
      validity,
      surveyedFrom: '2026-06-01',
      surveyedTo: '2026-06-07',
      preparedBy: '李主任',
      preparedAt: '2026-06-30',
    });
    expect(html).toContain('表号：QP-08-15-F002');
    const t = text(html);
    expect(t).toContain('399 313 78.4% 160 51.1% 1420 97.2% 0.7%');
    expect(t).toContain('8 社区文化与会所 30 104 1 4 1 140 20 95.7% 3.6%');
    expect(t).toContain('合计');
    expect(t).toContain('调查时间 2026年6月1日至2026年6月7日');
    expect(t).toContain('回收率未达到有效调查的要求（回收率超过85.0%时，调查视为有效）， 本次调查结果不作为正式结果');
    expect(t).toContain('满意等级（非常满意、满意）评定数量');
    expect(t).toContain('不满意等级（不满意、非常不满意）评定数量');
    expect(t).toContain('统计人：李主任');
  });

  it('F002 statistics: the average score of 004 when the scale has points', () => {
    const { questionnaire, issued, responses } = internal004();
    const t = text(catalog.render('survey-statistics', { ...common, statistics: surveyStatistics({ questionnaire, households: 12, issued, responses }) }).html);
    expect(t).toContain('平均得分');
    expect(t).toContain('94.4分');
    expect(t).toContain('12 12 100.0% 12 100.0%');
  });

  it('analysis report: overall, lowest, highest dissatisfaction, fell, common issues, comments, expectations', () => {
    const { html } = catalog.render('survey-analysis', {
      ...common,
      statistics,
      analysis,
      validity,
      method: '上门发放《客户意见调查表》',
      surveyedFrom: '2026-06-01',
      commonIssues: [
        { title: '小区内缺少休闲健身设施', commenters: 2, measures: '协调区体育局添置健身器材', responsiblePerson: '张经理', deadline: '2026-08-31' },
        {
          title: '蚊虫消杀',
          description: '近期蚊虫较多',
          commenters: 2,
          measures: '向消杀公司下整改通知书，加强消杀频率',
          responsiblePerson: '赵主管',
          deadline: '2026-07-15',
        },
      ],
      expectations: '希望增加社区文化活动 & 健身设施',
      preparedBy: '李主任',
    });
    const t = text(html);
    expect(t).toContain('共有住户399户，发放《客户意见调查表》313份，发放率78.4%；回收160份，回收率51.1%');
    expect(t).toContain('回收率未超过85.0%，本次调查不视为有效');
    expect(t).toContain('总满意率为97.2%（上次调查为');
    expect(t).toContain('满意率最低的服务项目：绿化与消杀，满意率92.5%');
    expect(t).toContain('不满意率最高的服务项目：社区文化与会所，不满意率3.6%');
    expect(t).toContain('绿化与消杀 97.3% 92.5%');
    expect(t).toContain('社区文化与会所 98.6% 95.7%');
    expect(t).toContain('蚊虫消杀：近期蚊虫较多 2 向消杀公司下整改通知书，加强消杀频率 赵主管 2026年7月15日');
    expect(t).toContain('社区文化与会所（4条）');
    expect(html).toContain('&lt;b&gt;电梯&lt;/b&gt;偶尔停在半层 &amp; 门关得太快');
    expect(html).toContain('希望增加社区文化活动 &amp; 健身设施');
  });

  it('open letter (000 篇3): thanks, figures, one reply per common issue, signed and dated', () => {
    const { html } = catalog.render('survey-notice', {
      ...common,
      managementOffice: 'E花园管理处',
      statistics,
      replies: [
        { issue: '小区内缺少休闲健身设施', reply: '体育局将于近期在小区内添置部分健身器材。' },
        { issue: '今年开展社区文化活动较少', reply: '今年我们准备举办4次社区文化活动。' },
        { issue: '蚊虫消杀的问题', reply: '我们已向消杀公司下了整改通知书<b>并督促</b>。' },
      ],
      publishedAt: '2026-07-05',
      hotline: '0755-12345678',
    });
    const t = text(html);
    expect(t).toContain('尊敬的各位业主（住户）：');
    expect(t).toContain(
      '我小区共有住户399户，为搞好这次客户意见调查，我们共发出调查表313份，发放率78.4%，回收调查表160份，回收率51.1%，经统计分析：总满意率为97.2%。下面，就本次调查大多数业主共同提出的几个问题回复如下：',
    );
    expect(t).toContain('1、关于小区内缺少休闲健身设施。体育局将于近期在小区内添置部分健身器材。');
    expect(t).toContain('3、关于蚊虫消杀的问题。');
    expect(html).toContain('&lt;b&gt;并督促&lt;/b&gt;');
    expect(t).toContain('再一次衷心地感谢广大业主');
    expect(t).toMatch(/E花园管理处 ?2026年7月5日/);
    expect(html).not.toContain('KY-2026-H1');
    expect(t).not.toContain('编号');
    expect(t).not.toContain('打印时间');
  });

  it('open letter without common issues says so', () => {
    const t = text(catalog.render('survey-notice', { ...common, managementOffice: 'E花园管理处', statistics, replies: [] }).html);
    expect(t).toContain('本次调查没有多数业主共同提出的问题');
  });

  it('corrective-action notice: issue, responsible person, deadline, verifier; blank tracking lines', () => {
    const { html } = catalog.render('corrective-action-notice', {
      ...common,
      source: '2026年上半年客户意见调查',
      department: '环境部',
      issue: { title: '蚊虫消杀', description: '近期蚊虫较多，<消杀>不到位', commenters: 2 },
      measures: '调整药物配方，加强消杀的频率和针对性',
      responsiblePerson: '赵主管',
      deadline: '2026-07-15',
      verifier: '李主任',
      manager: '张经理',
      issuedAt: '2026-07-01',
    });
    const t = text(html);
    for (const s of [
      '环境部：',
      '根据2026年上半年客户意见调查的分析报告',
      '蚊虫消杀',
      '（2户反映）',
      '调整药物配方',
      '责任人 赵主管',
      '完成期限 2026年7月15日',
      '跟踪验证人 李主任',
      '签发（服务中心经理）：张经理',
      '□ 已完成',
      '□ 回访客户',
    ]) {
      expect(t).toContain(s);
    }
    expect(html).toContain('近期蚊虫较多，&lt;消杀&gt;不到位');
  });

  it('F003 opinion record: the written comments with room, owner, kind and handling', () => {
    const households = [{ id: 'E花园-1-104', building: 'E花园', unit: '1', room: '104', ownerName: '欧阳娜娜', phone: '13812345678', occupied: true }];
    const commonIds = new Set(analysis.commentGroups.filter((g) => g.commonIssueCandidate).flatMap((g) => g.comments.map((c) => c.id)));
    const opinions = opinionsFromComments({ comments: statistics.comments, households, commonCommentIds: commonIds });
    expect(opinions[0]).toEqual({
      commentId: '3:other',
      room: 'E花园 1单元 104',
      ownerName: '欧阳娜娜',
      contact: '13812345678',
      content: '小区内缺少休闲健身设施，希望增加健身器材。',
      kind: 'common',
    });
    expect(opinions.filter((o) => o.kind === 'general').map((o) => o.commentId)).toEqual(['64:other', '80:other', '99:other']);
    opinions[8] = {
      ...opinions[8],
      department: '工程部',
      handling: '调整电梯关门时间',
      result: '已调整',
      returnVisit: { at: '2026-07-10', satisfied: true, comment: '好多了' },
    };
    const { html } = catalog.render('opinion-record', { ...common, opinions, recordedBy: '王客服' });
    expect(html).toContain('表号：QP-08-15-F003');
    const t = text(html);
    expect(t).toContain('1 E花园 1单元 104 欧阳娜娜 13812345678 小区内缺少休闲健身设施，希望增加健身器材。 共性');
    expect(t).toContain('工程部 调整电梯关门时间 已调整 2026年7月10日 满意 好多了');
    expect(html).toContain('&lt;b&gt;电梯&lt;/b&gt;');
    expect(text(catalog.render('opinion-record', { ...common, opinions: [] }).html)).toContain('本次调查没有书面意见或建议');
  });
});
