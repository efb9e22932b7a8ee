import { BusinessCalendar } from '../../calendar/business-calendar';
import { ComplaintRun } from '../../../test/fixtures/complaint/complaint-driver';
import { complaintRecordFromStored, replyCycles, replyTimelinessOf, toComplaintFacts, type ComplaintRecord } from './complaint-record';

const calendar = new BusinessCalendar();
const FRI = '2026-02-13T10:00:00+08:00';
/** Friday 2026-02-13 + 3 working days (Sat 14 调休, Tue 24, Wed 25) = Wednesday 2026-02-25 18:00. */
const DUE = '2026-02-25T10:00:00.000Z';

/** Registered, classified and dispatched on Friday 2026-02-13 (the worked example of DOMAIN.md §2). */
function dispatchedFriday(): ComplaintRun {
  return new ComplaintRun('c-1', 'TS-2026-0007', { receivedAt: '2026-02-13T09:40:00+08:00' }, FRI)
    .send('classify', { valid: true, category: '设备设施', severity: '一般' })
    .send('dispatch', { department: '工程部' });
}

describe('the reply deadline (003 四.(八).4: 三个工作日内回单)', () => {
  it('Friday 2026-02-13 + 3 working days is the end of Wednesday 2026-02-25', () => {
    const due = calendar.addWorkingDays(new Date(FRI), 3);
    expect(due.toISOString()).toBe(DUE);
    expect(calendar.localDate(due)).toBe('2026-02-25');
  });

  it("is the complaint's own replyOverdue timer, as the engine arms it on dispatch", () => {
    const record = dispatchedFriday().toRecord();
    expect(record.timers.find((t) => t.eventType === 'replyOverdue')?.dueAt).toBe(DUE);
    const facts = toComplaintFacts({ record, calendar });
    expect(facts.replyDeadline).toBe(DUE);
    expect(facts.dispatchedAt).toBe('2026-02-13T02:00:00.000Z');
    expect(facts.replyTimeliness).toBe('pending');
    expect(facts.onTime).toBeUndefined();
  });

  it('a reply at 17:59 on Wednesday is on time after 3 working days', () => {
    const record = dispatchedFriday().send('reply', { method: '更换灯具', result: '已修复' }, { at: '2026-02-25T17:59:00+08:00' }).toRecord();
    const facts = toComplaintFacts({ record, calendar });
    expect(facts).toMatchObject({ replyTimeliness: 'onTime', onTime: true, workingDaysToFirstReply: 3, escalated: false, explained: false });
  });

  it('a reply exactly at the deadline is on time; the next morning is late, escalated, 1 working day late', () => {
    const atDeadline = dispatchedFriday().send('reply', { method: 'm', result: 'r' }, { at: DUE }).toRecord();
    expect(toComplaintFacts({ record: atDeadline, calendar }).replyTimeliness).toBe('onTime');

    const run = dispatchedFriday().send('reply', { method: 'm', result: 'r' }, { at: '2026-02-26T09:00:00+08:00' });
    const facts = toComplaintFacts({ record: run.toRecord(), calendar });
    expect(facts).toMatchObject({ replyTimeliness: 'late', onTime: false, escalated: true, workingDaysToFirstReply: 4, workingDaysLate: 1 });
    expect(run.toRecord().trail.map((e) => e.toState)).toContain('overdue');
  });

  it('a delay explained before the deadline and a later reply is explained-late, not escalated', () => {
    const record = dispatchedFriday()
      .send('explainDelay', { explanation: '春节假期，配件未到' }, { at: '2026-02-24T11:00:00+08:00' })
      .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-27T10:00:00+08:00' })
      .toRecord();
    const facts = toComplaintFacts({ record, calendar });
    expect(facts).toMatchObject({
      replyTimeliness: 'explained',
      onTime: false,
      explained: true,
      escalated: false,
      explanation: '春节假期，配件未到',
      workingDaysLate: 2,
    });
    expect(facts.explainedAt).toBe('2026-02-24T03:00:00.000Z');
  });

  it('an explanation filed but a reply in time is simply on time', () => {
    const record = dispatchedFriday()
      .send('explainDelay', { explanation: '可能延误' }, { at: '2026-02-24T11:00:00+08:00' })
      .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-25T09:00:00+08:00' })
      .toRecord();
    expect(toComplaintFacts({ record, calendar })).toMatchObject({ replyTimeliness: 'onTime', explained: true });
  });

  it('a long-term problem marked before the deadline counts as explained', () => {
    const record = dispatchedFriday()
      .send('markLongTerm', { reason: '需更换整条线路' }, { at: '2026-02-13T15:00:00+08:00' })
      .send('explainToCustomer', { explanation: '已解释', expectedBy: '2026-03-10' })
      .send('resumeHandling', {}, { at: '2026-03-11T09:00:00+08:00' })
      .send('reply', { method: 'm', result: 'r' }, { at: '2026-03-11T10:00:00+08:00' })
      .toRecord();
    const facts = toComplaintFacts({ record, calendar });
    expect(facts).toMatchObject({ replyTimeliness: 'explained', longTerm: true, explained: true, escalated: false, explanation: '需更换整条线路' });
    expect(record.trail.map((e) => e.eventType)).toContain('longTermDue');
  });

  it('unanswered: pending until the deadline, late once `now` (or the fired timer) is past it', () => {
    const run = dispatchedFriday();
    const before = run.toRecord();
    expect(toComplaintFacts({ record: before, calendar, now: new Date('2026-02-25T17:00:00+08:00') }).replyTimeliness).toBe('pending');
    expect(toComplaintFacts({ record: before, calendar, now: new Date('2026-02-25T18:00:01+08:00') }).replyTimeliness).toBe('late');
    // Without `now`, the timer having fired says the deadline passed.
    const after = run.advanceTo('2026-02-26T08:00:00+08:00').toRecord();
    expect(after.timers.find((t) => t.eventType === 'replyOverdue')?.status).toBe('fired');
    expect(toComplaintFacts({ record: after, calendar })).toMatchObject({ replyTimeliness: 'late', escalated: true, state: 'overdue' });
  });

  it('a reopened complaint: first cycle decides on time, each cycle keeps its own deadline, closed at the satisfied visit', () => {
    const record = dispatchedFriday()
      .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-24T10:00:00+08:00' })
      .send('recordReturnVisit', { satisfied: false, comment: '仍不亮' }, { at: '2026-02-24T15:00:00+08:00' })
      .send('reply', { method: 'm2', result: 'r2' }, { at: '2026-03-02T10:00:00+08:00' })
      .send('recordReturnVisit', { satisfied: true }, { at: '2026-03-02T16:00:00+08:00' })
      .toRecord();
    const facts = toComplaintFacts({ record, calendar });
    expect(facts).toMatchObject({
      reopenedCount: 1,
      replyTimeliness: 'onTime',
      firstReplyAt: '2026-02-24T02:00:00.000Z',
      lastReplyAt: '2026-03-02T02:00:00.000Z',
      workingDaysToFirstReply: 2,
      closedAt: '2026-03-02T08:00:00.000Z',
      closedDate: '2026-03-02',
      state: 'closed',
    });
    // The second cycle started Tue 24 15:00: due end of Fri 27 (25, 26, 27), replied Mon 2 March → late.
    expect(facts.cycles).toHaveLength(2);
    expect(facts.cycles[1]).toMatchObject({ index: 1, deadline: '2026-02-27T10:00:00.000Z', repliedAt: '2026-03-02T02:00:00.000Z' });
    expect(replyTimelinessOf({ cycle: facts.cycles[1] })).toBe('late');
    expect(facts.escalated).toBe(true);
  });

  it('an explanation recorded after the deadline (before a late timer fired) does not make it explained', () => {
    const cycle = { index: 0, startedAt: '2026-02-13T02:00:00.000Z', deadline: DUE, deadlineStatus: 'fired', explainedAt: '2026-02-25T10:00:30.000Z' };
    expect(replyTimelinessOf({ cycle })).toBe('late');
    expect(replyTimelinessOf({ cycle: { ...cycle, explainedAt: DUE } })).toBe('explained');
    expect(replyTimelinessOf({ cycle: { ...cycle, deadline: undefined } })).toBe('noDeadline');
    expect(replyTimelinessOf({ cycle: undefined })).toBe('notDispatched');
  });

  it('an invalid complaint is closed at classification and never dispatched', () => {
    const record = new ComplaintRun('c-2', 'TS-2', { receivedAt: '2026-02-13T09:00:00+08:00' }, FRI)
      .send('classify', { valid: false, reason: '非物业管理范围' })
      .toRecord();
    expect(toComplaintFacts({ record, calendar })).toMatchObject({
      valid: false,
      invalidReason: '非物业管理范围',
      replyTimeliness: 'notDispatched',
      closedAt: '2026-02-13T02:00:00.000Z',
      status: 'completed',
    });
  });

  it('reads the month of receipt in Asia/Shanghai: 00:30 on 1 March local is still 28 February in UTC', () => {
    const record = new ComplaintRun('c-3', 'TS-3', { receivedAt: '2026-03-01T00:30:00+08:00' }, '2026-03-01T00:35:00+08:00').toRecord();
    const facts = toComplaintFacts({ record, calendar });
    expect(new Date(record.context.receivedAt).toISOString().slice(0, 7)).toBe('2026-02');
    expect(facts).toMatchObject({ receivedDate: '2026-03-01', receivedMonth: '2026-03', valid: undefined, replyTimeliness: 'notDispatched' });
  });

  it('refuses an unreadable receivedAt with a message naming the complaint and the field', () => {
    const record: ComplaintRecord = { ...dispatchedFriday().toRecord(), context: { ...dispatchedFriday().toRecord().context, receivedAt: '13/02/2026' } };
    expect(() => toComplaintFacts({ record, calendar })).toThrow(/TS-2026-0007: receivedAt must be an ISO date-time/);
  });

  it('falls back to the context when there is no trail (an imported complaint)', () => {
    const record: ComplaintRecord = {
      id: 'x',
      businessKey: 'OLD-1',
      state: 'closed',
      status: 'active',
      trail: [],
      timers: [{ eventType: 'replyOverdue', dueAt: DUE, status: 'cancelled', firedAt: null }],
      context: {
        receivedAt: FRI,
        complainant: '王',
        unit: '1-101',
        contact: '1',
        channel: '来访',
        content: 'x',
        valid: true,
        dispatchedAt: '2026-02-13T02:00:00.000Z',
        replyAt: '2026-02-26T02:00:00.000Z',
        reopenCount: 2,
        delays: [{ at: '2026-02-24T02:00:00.000Z', explanation: '等配件' }],
        closedAt: '2026-02-27T02:00:00.000Z',
      },
    };
    expect(replyCycles({ record })).toEqual([
      {
        index: 0,
        startedAt: '2026-02-13T02:00:00.000Z',
        deadline: DUE,
        deadlineStatus: 'cancelled',
        repliedAt: '2026-02-26T02:00:00.000Z',
        explainedAt: '2026-02-24T02:00:00.000Z',
        explainedBy: 'explainDelay',
      },
    ]);
    expect(toComplaintFacts({ record, calendar })).toMatchObject({ replyTimeliness: 'explained', reopenedCount: 2, workingDaysToFirstReply: 4 });
  });

  it('reads a stored instance of the domain store (compute: functions) the same way', () => {
    const record = dispatchedFriday().send('reply', { method: 'm', result: 'r' }, { at: '2026-02-24T10:00:00+08:00' }).toRecord();
    const stored = {
      ...record,
      definition: 'complaint',
      status: 'active',
      context: record.context as unknown as Record<string, unknown>,
      createdAt: record.trail[0].at,
      updatedAt: record.trail[record.trail.length - 1].at,
      trail: [...record.trail].reverse(),
    };
    const again = complaintRecordFromStored({ instance: stored });
    expect(again.trail).toEqual(record.trail);
    expect(toComplaintFacts({ record: again, calendar })).toEqual(toComplaintFacts({ record, calendar }));
  });
});
