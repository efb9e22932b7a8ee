import { ACTORS, ComplaintRun } from '../../../test/fixtures/complaint/complaint-driver';
import type { ComplaintRecord } from './complaint-record';
import { complaintTimeline, currentDueAt, filterComplaints, sortForWorkingView } from './complaint-views';

const NOW = new Date('2026-03-04T12:00:00+08:00');

/** Registered and dispatched at `at` (local time); returns the run for further steps. */
function dispatched(key: string, at: string, opts: { department?: string; category?: string } = {}): ComplaintRun {
  return new ComplaintRun(key, key, { receivedAt: at }, at)
    .send('classify', { valid: true, category: opts.category ?? '设备设施', severity: '一般' })
    .send('dispatch', { department: opts.department ?? '工程部' });
}

describe('the working view', () => {
  // Dispatched Thu 26 Feb: due end of Mon 2 Mar (Fri 27, Sat 28 调休, Mon 2) → 2 days overdue at NOW.
  const overdueLess = dispatched('B-overdue-2d', '2026-02-26T10:00:00+08:00').advanceTo(NOW).toRecord();
  // Dispatched Tue 24 Feb: due end of Fri 27 Feb → 5 days overdue at NOW.
  const overdueMore = dispatched('A-overdue-5d', '2026-02-24T10:00:00+08:00', { department: '保安部' }).advanceTo(NOW).toRecord();
  // Dispatched Wed 4 Mar 09:00: due end of Mon 9 Mar.
  const dueLater = dispatched('D-due-9', '2026-03-04T09:00:00+08:00', { category: '收费' }).toRecord();
  // Dispatched Mon 2 Mar: due end of Thu 5 Mar.
  const dueSooner = dispatched('C-due-5', '2026-03-02T09:00:00+08:00')
    .send('explainDelay', { explanation: '等配件' }, { at: '2026-03-03T09:00:00+08:00' })
    .toRecord();
  // Waiting for the return visit: no deadline. Older than the unclassified one.
  const replied = dispatched('E-visit', '2026-02-20T09:00:00+08:00')
    .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-24T09:00:00+08:00' })
    .toRecord();
  const fresh = new ComplaintRun('F-new', 'F-new', { receivedAt: '2026-03-04T08:00:00+08:00' }, '2026-03-04T08:00:00+08:00').toRecord();
  const done = new ComplaintRun('G-invalid', 'G-invalid', { receivedAt: '2026-01-05T08:00:00+08:00' }, '2026-01-05T08:00:00+08:00')
    .send('classify', { valid: false, reason: '重复投诉' })
    .toRecord();
  // Long-term, promised for 2026-03-20: that promise is its due date, not the passed reply limit.
  const longTerm = dispatched('H-long', '2026-02-10T09:00:00+08:00')
    .send('markLongTerm', { reason: '需更换水泵' }, { at: '2026-02-10T10:00:00+08:00' })
    .send('explainToCustomer', { explanation: '已解释', expectedBy: '2026-03-20' }, { at: '2026-02-10T11:00:00+08:00' })
    .advanceTo(NOW)
    .toRecord();
  const all: ComplaintRecord[] = [done, fresh, replied, dueLater, longTerm, dueSooner, overdueLess, overdueMore];

  it('knows what each complaint is waiting on', () => {
    expect(currentDueAt({ record: overdueLess })).toBe('2026-03-02T10:00:00.000Z');
    expect(currentDueAt({ record: overdueMore })).toBe('2026-02-27T10:00:00.000Z');
    expect(currentDueAt({ record: dueLater })).toBe('2026-03-09T10:00:00.000Z');
    // The promised date 2026-03-20 falls due at the end of that day (18:00 Shanghai).
    expect(currentDueAt({ record: longTerm })).toBe('2026-03-20T10:00:00.000Z');
    expect([replied, fresh, done].map((record) => currentDueAt({ record }))).toEqual([undefined, undefined, undefined]);
  });

  it('puts the most overdue first, then the nearest due date, then the oldest without one, finished last', () => {
    const view = sortForWorkingView({ records: all, now: NOW });
    expect(view.map((i) => i.record.businessKey)).toEqual(['A-overdue-5d', 'B-overdue-2d', 'C-due-5', 'D-due-9', 'H-long', 'E-visit', 'F-new', 'G-invalid']);
    expect(view.map((i) => i.overdue)).toEqual([true, true, false, false, false, false, false, false]);
    expect(view[0].overdueByMs).toBe(NOW.getTime() - Date.parse('2026-02-27T10:00:00.000Z'));
  });

  it('filters by state (a leaf or handling as a whole), department, category and due date', () => {
    const keys = (rs: ComplaintRecord[]) => rs.map((r) => r.businessKey).sort();
    expect(keys(filterComplaints({ records: all, state: 'overdue' }))).toEqual(['A-overdue-5d', 'B-overdue-2d']);
    expect(keys(filterComplaints({ records: all, state: 'handling' }))).toEqual(['A-overdue-5d', 'B-overdue-2d', 'C-due-5', 'D-due-9', 'H-long']);
    expect(keys(filterComplaints({ records: all, state: ['registered', 'returnVisit'] }))).toEqual(['E-visit', 'F-new']);
    expect(keys(filterComplaints({ records: all, department: '保安部' }))).toEqual(['A-overdue-5d']);
    expect(keys(filterComplaints({ records: all, category: '收费' }))).toEqual(['D-due-9']);
    expect(keys(filterComplaints({ records: all, dueBefore: '2026-03-06T00:00:00+08:00' }))).toEqual(['A-overdue-5d', 'B-overdue-2d', 'C-due-5']);
    expect(keys(filterComplaints({ records: all, state: 'handling', department: '工程部', dueBefore: NOW }))).toEqual(['B-overdue-2d']);
    expect(filterComplaints({ records: all })).toHaveLength(all.length);
  });
});

describe('complaintTimeline', () => {
  it('tells the story in Chinese with the titles of complaint.yaml, who and when', () => {
    const record = new ComplaintRun(
      'c',
      'TS-2026-0007',
      {
        receivedAt: '2026-02-13T09:40:00+08:00',
        unit: '3栋1201',
        complainant: '李先生',
        channel: '来电/传真',
        content: '楼道灯坏了三天',
      },
      '2026-02-13T10:00:00+08:00',
    )
      .send('classify', { valid: true, category: '设备设施', severity: '一般' }, { at: '2026-02-13T10:10:00+08:00' })
      .send('dispatch', { department: '工程部' }, { at: '2026-02-13T10:20:00+08:00', actor: ACTORS.supervisor })
      .send('reply', { method: '更换灯具', result: '已修复' }, { at: '2026-02-26T09:00:00+08:00' })
      .send('recordReturnVisit', { satisfied: false, comment: '另一层也不亮' }, { at: '2026-02-26T15:00:00+08:00' })
      .send('recordContact', { note: '已上门查看' }, { at: '2026-02-26T16:00:00+08:00' })
      .send('reply', { method: '全楼检修', result: '全部修复' }, { at: '2026-02-27T11:00:00+08:00' })
      .send('recordReturnVisit', { satisfied: true, comment: '满意' }, { at: '2026-02-27T16:00:00+08:00' })
      .send('archive', {}, { at: '2026-02-28T09:00:00+08:00' })
      .toRecord();
    const lines = complaintTimeline({ record, actorNames: { zhang: '张敏', chen: '陈工' } });
    expect(lines).toEqual([
      '2026年2月13日 10:00　客服助理 张敏　登记投诉（顾客投诉记录）：来电/传真，3栋1201 李先生：“楼道灯坏了三天”',
      '2026年2月13日 10:10　客服助理 张敏　分类（有效/无效）：有效投诉，设备设施，一般',
      '2026年2月13日 10:20　客户服务主任 li　派单（服务投诉单）：派往工程部',
      '2026年2月13日 18:00　系统　当天未联系投诉人（系统）：已通知客户服务主任跟进',
      '2026年2月25日 18:00　系统　超过回单时限且未说明原因（系统）：已上报服务中心经理',
      '2026年2月26日 09:00　部门负责人 陈工　回单（处理方式与结果）：处理方式：更换灯具；处理结果：已修复（超过回单时限 2026年2月25日 18:00）',
      '2026年2月26日 15:00　客服助理 张敏　回访：顾客不满意，退回工程部重新处理；顾客意见：另一层也不亮',
      '2026年2月26日 16:00　客服助理 张敏　记录已联系投诉人（当天）：已上门查看',
      '2026年2月26日 18:00　系统　当天未联系投诉人（系统）：此前已联系投诉人，无需处理',
      '2026年2月27日 11:00　部门负责人 陈工　回单（处理方式与结果）：处理方式：全楼检修；处理结果：全部修复',
      '2026年2月27日 16:00　客服助理 张敏　回访：顾客满意，结案；顾客意见：满意',
      '2026年2月28日 09:00　客服助理 张敏　归档',
    ]);
  });

  it('shows an invalid complaint, a delay explanation and a long-term problem', () => {
    const invalid = new ComplaintRun('i', 'I', { receivedAt: '2026-02-13T09:00:00+08:00' }, '2026-02-13T09:00:00+08:00')
      .send('classify', { valid: false, reason: '非物业管理范围' })
      .toRecord();
    expect(complaintTimeline({ record: invalid })[1]).toBe('2026年2月13日 09:00　客服助理 zhang　分类（有效/无效）：无效投诉（非物业管理范围），已关闭');

    const longTerm = dispatched('L', '2026-02-13T09:00:00+08:00')
      .send('explainDelay', { explanation: '配件在途' }, { at: '2026-02-13T11:00:00+08:00' })
      .send('markLongTerm', { reason: '需更换水泵' }, { at: '2026-02-13T12:00:00+08:00' })
      .send('explainToCustomer', { explanation: '已向业主说明', expectedBy: '2026-03-20' }, { at: '2026-02-13T13:00:00+08:00' })
      .toRecord();
    const lines = complaintTimeline({ record: longTerm });
    expect(lines).toContain('2026年2月13日 11:00　客服助理 zhang　记录延误说明（须在回单时限前）：配件在途');
    expect(lines).toContain('2026年2月13日 12:00　部门负责人 chen　列为短期内无法解决的问题：原因：需更换水泵');
    expect(lines).toContain('2026年2月13日 13:00　客服助理 zhang　已向顾客解释并告知预计期限：已向业主说明；预计解决期限 2026年3月20日');
  });
});
