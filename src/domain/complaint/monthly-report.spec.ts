import { BusinessCalendar } from '../../calendar/business-calendar';
import { ComplaintRun } from '../../../test/fixtures/complaint/complaint-driver';
import { CATEGORIES, CHANNELS, generateComplaints, KEYWORDS, type GeneratedTruth, type Plan } from '../../../test/fixtures/complaint/complaint-generator';
import { COMPLAINT_KEYWORDS, monthlyComplaintReport } from './monthly-report';

const calendar = new BusinessCalendar();
const UNTIL = '2026-03-20T12:00:00+08:00';
const NOW = new Date(UNTIL);

describe('monthlyComplaintReport against an independent count of 360 generated complaints', () => {
  const { records, truths } = generateComplaints({ count: 360, seed: 20260201, until: UNTIL });

  it('the generator covers every case the report distinguishes', () => {
    const plans = new Set(truths.map((t) => t.plan));
    for (const p of [
      'unclassified',
      'classifiedOnly',
      'invalid',
      'onTime',
      'onTimeOpen',
      'explainedOnTime',
      'reopened',
      'late',
      'lateUnreplied',
      'explained',
      'explainedUnreplied',
      'longTerm',
    ] as Plan[])
      expect(plans).toContain(p);
    expect(new Set(truths.map((t) => t.channel))).toEqual(new Set(CHANNELS));
    expect(new Set(truths.filter((t) => t.category).map((t) => t.category))).toEqual(new Set(CATEGORIES));
    // Complaints received in the first/last hour of a month, where the UTC month is another one.
    const across = records.filter((r) => new Date(r.context.receivedAt).toISOString().slice(0, 7) !== r.context.receivedAt.slice(0, 7));
    expect(across.length).toBeGreaterThan(5);
    expect(truths.some((t) => t.reopenings === 2)).toBe(true);
  });

  for (const month of ['2026-01', '2026-02', '2026-03']) {
    it(`${month}: every figure equals the count made from the generator's own decisions`, () => {
      const report = monthlyComplaintReport({ month, records, calendar, now: NOW });
      const lastDay = report.periodEnd;
      const mine = truths.filter((t) => t.localReceived.startsWith(month));
      const count = (pred: (t: GeneratedTruth) => boolean, xs: readonly GeneratedTruth[] = mine) => xs.filter(pred).length;
      const planIn =
        (...plans: Plan[]) =>
        (t: GeneratedTruth) =>
          plans.includes(t.plan);

      expect(mine.length).toBeGreaterThan(30);
      expect(report.received).toBe(mine.length);
      expect(report.valid).toBe(count((t) => t.valid === true));
      expect(report.invalid).toBe(count((t) => t.valid === false));
      expect(report.unclassified).toBe(count((t) => t.valid === undefined));
      expect(report.byChannel).toEqual(CHANNELS.map((name) => ({ name, count: count((t) => t.channel === name) })));
      expect(report.byCategory).toEqual(CATEGORIES.map((name) => ({ name, count: count((t) => t.valid === true && t.category === name) })));
      expect(report.dispatched).toBe(count((t) => t.department !== undefined));
      expect(report.replied).toBe(count((t) => t.replyWorkingDays !== undefined));

      const onTime = count(planIn('onTime', 'onTimeOpen', 'explainedOnTime', 'reopened'));
      const late = count(planIn('late', 'lateUnreplied'));
      const explained = count(planIn('explained', 'explainedUnreplied', 'longTerm'));
      expect(report.replyTimeliness).toEqual({
        onTime,
        late,
        explained,
        pending: 0,
        noDeadline: 0,
        decided: onTime + late + explained,
        onTimeRate: onTime / (onTime + late + explained),
      });
      expect(report.unansweredPastDeadline).toBe(count(planIn('lateUnreplied', 'explainedUnreplied')));
      expect(report.escalated).toBe(late);
      expect(report.reopened).toBe(count((t) => t.reopenings > 0));
      expect(report.reopenings).toBe(mine.reduce((n, t) => n + t.reopenings, 0));

      expect(report.closed).toBe(count((t) => t.valid === true && t.closedLocalDate !== undefined && t.closedLocalDate <= lastDay));
      expect(report.closedDuringMonth).toBe(count((t) => t.valid === true && !!t.closedLocalDate?.startsWith(month), truths));
      expect(report.backlogAtMonthEnd).toBe(
        count((t) => t.localReceived <= lastDay && !(t.closedLocalDate !== undefined && t.closedLocalDate <= lastDay), truths),
      );

      const days = mine.filter((t) => t.replyWorkingDays !== undefined).map((t) => t.replyWorkingDays!);
      expect(report.averageWorkingDaysToReply).toBeCloseTo(days.reduce((a, b) => a + b, 0) / days.length, 2);

      expect(new Set(report.lateComplaints.map((r) => r.businessKey))).toEqual(
        new Set(mine.filter(planIn('late', 'lateUnreplied', 'explained', 'explainedUnreplied', 'longTerm')).map((t) => t.businessKey)),
      );
      expect(report.complaints.map((r) => r.businessKey).sort()).toEqual(mine.map((t) => t.businessKey).sort());

      const keywordCounts = KEYWORDS.map((k) => [k, count((t) => t.valid === true && t.keyword === k)] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1] || COMPLAINT_KEYWORDS.indexOf(a[0]) - COMPLAINT_KEYWORDS.indexOf(b[0]));
      expect(report.topKeywords).toEqual(keywordCounts.slice(0, 5).map(([name, n]) => ({ name, count: n })));
      const topCategory = Math.max(...CATEGORIES.map((c) => count((t) => t.valid === true && t.category === c)));
      expect(report.topCategories[0].count).toBe(topCategory);
      expect(report.topCategories.length).toBe(3);
      expect(report.monthComplete).toBe(month !== '2026-03');
    });
  }

  it('lists complaints by time of receipt, with the late ones flagged in Chinese', () => {
    const report = monthlyComplaintReport({ month: '2026-02', records, calendar, now: NOW });
    const times = report.complaints.map((r) => Date.parse(r.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(report.lateComplaints.map((r) => r.timelinessTitle))).toEqual(new Set(['超时未说明', '已说明延误']));
    expect(report.complaints.every((r) => !('complainant' in r) && !('contact' in r))).toBe(true);
  });
});

describe('monthlyComplaintReport, worked examples', () => {
  const friday = () =>
    new ComplaintRun('a', 'TS-A', { receivedAt: '2026-02-13T09:40:00+08:00', content: '电梯停运' }, '2026-02-13T10:00:00+08:00')
      .send('classify', { valid: true, category: '设备设施', severity: '一般' })
      .send('dispatch', { department: '工程部' });

  it('a complaint of 13 February still unanswered on 25 February 17:00 is pending, then late at 18:01', () => {
    const record = friday().toRecord();
    const before = monthlyComplaintReport({ month: '2026-02', records: [record], calendar, now: new Date('2026-02-25T17:00:00+08:00') });
    expect(before).toMatchObject({ received: 1, monthComplete: false, backlogAtMonthEnd: 1, lateComplaints: [] });
    expect(before.replyTimeliness).toMatchObject({ pending: 1, decided: 0, onTimeRate: null });
    const after = monthlyComplaintReport({ month: '2026-02', records: [record], calendar, now: new Date('2026-02-25T18:01:00+08:00') });
    expect(after.replyTimeliness).toMatchObject({ late: 1, pending: 0, onTimeRate: 0 });
    expect(after.lateComplaints[0]).toMatchObject({ businessKey: 'TS-A', replyDeadline: '2026-02-25T10:00:00.000Z', timelinessTitle: '超时未说明' });
  });

  it('a complaint of January closed in February counts in closedDuringMonth and leaves the January backlog only', () => {
    const jan = new ComplaintRun('j', 'TS-J', { receivedAt: '2026-01-30T10:00:00+08:00' }, '2026-01-30T10:00:00+08:00')
      .send('classify', { valid: true, category: '收费', severity: '一般' })
      .send('dispatch', { department: '财务部' })
      .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-02T10:00:00+08:00' })
      .send('recordReturnVisit', { satisfied: true }, { at: '2026-02-03T10:00:00+08:00' })
      .toRecord();
    const feb = monthlyComplaintReport({ month: '2026-02', records: [jan], calendar, now: NOW });
    expect(feb).toMatchObject({ received: 0, closed: 0, closedDuringMonth: 1, backlogAtMonthEnd: 0, averageWorkingDaysToReply: null });
    expect(monthlyComplaintReport({ month: '2026-01', records: [jan], calendar, now: NOW })).toMatchObject({ received: 1, closed: 0, backlogAtMonthEnd: 1 });
  });

  it('refuses a month not written YYYY-MM', () => {
    expect(() => monthlyComplaintReport({ month: '2026-2', records: [], calendar, now: NOW })).toThrow(
      'month must be written YYYY-MM, e.g. 2026-02; got "2026-2"',
    );
  });

  it('keeps every category and channel of the rules with zero counts, and lists an unknown category after them', () => {
    const record = friday().toRecord();
    const odd = { ...record, businessKey: 'TS-B', context: { ...record.context, category: '其他' } };
    const report = monthlyComplaintReport({ month: '2026-02', records: [record, odd], calendar, now: NOW });
    expect(report.byCategory).toEqual([
      { name: '设备设施', count: 1 },
      { name: '管理服务', count: 0 },
      { name: '收费', count: 0 },
      { name: '突发事件', count: 0 },
      { name: '其他', count: 1 },
    ]);
    expect(report.byChannel.map((r) => r.name)).toEqual(CHANNELS);
    expect(report.topKeywords).toEqual([{ name: '电梯', count: 2 }]);
  });
});
