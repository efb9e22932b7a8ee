import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../common/app-error';
import { loadDefinition } from '../definitions/definition-loader';
import type { ProcessDefinition } from '../definitions/definition.types';
import { BusinessCalendar } from '../calendar/business-calendar';
import { dueAt } from '../calendar/deadline-spec';
import { deadlinesToStart, evaluatePayload, evaluateSchedule, scheduleScope, statesLeft } from './deadlines';
import { createProcessMachine } from './process-machine';
import type { Actor, StepResult } from './process-machine.contract';

function load(text: string, file = 'x.yaml'): ProcessDefinition {
  const result = loadDefinition(text, { file });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return result.definition;
}

const complaint = load(readFileSync(join(__dirname, '../../definitions/complaint.yaml'), 'utf8'), 'complaint.yaml');
const system: Actor = { id: 'system', roles: ['system'] };
const assistant: Actor = { id: 'zhang', roles: ['cs_assistant'] };
const deptHead: Actor = { id: 'chen', roles: ['dept_head'], attributes: { department: '工程部' } };
const names = (list: { name: string; event: string }[]) => list.map((d) => `${d.name}:${d.event}`);

describe('deadlinesToStart and statesLeft', () => {
  it('arms the deadlines of every state entered, outermost first, and none on start of a state without any', () => {
    expect(deadlinesToStart(complaint, null, ['registered'])).toEqual([]);
    expect(names(deadlinesToStart(complaint, ['classified'], ['handling', 'inProgress']))).toEqual(['handling#0:contactOverdue', 'handling#1:replyOverdue']);
    expect(names(deadlinesToStart(complaint, null, ['handling', 'longTermFollowUp']))).toEqual([
      'handling#0:contactOverdue',
      'handling#1:replyOverdue',
      'longTermFollowUp#0:longTermDue',
    ]);
  });

  it('keeps the timers of a state that stays active: moving inside handling arms only the inner deadlines', () => {
    expect(deadlinesToStart(complaint, ['handling', 'inProgress'], ['handling', 'delayExplained'])).toEqual([]);
    expect(names(deadlinesToStart(complaint, ['handling', 'longTermPending'], ['handling', 'longTermFollowUp']))).toEqual(['longTermFollowUp#0:longTermDue']);
    expect(statesLeft(['handling', 'longTermPending'], ['handling', 'longTermFollowUp'])).toEqual(['longTermPending']);
  });

  it('lists the states left innermost first', () => {
    expect(statesLeft(['handling', 'longTermFollowUp'], ['returnVisit'])).toEqual(['longTermFollowUp', 'handling']);
    expect(statesLeft(['returnVisit'], ['handling', 'inProgress'])).toEqual(['returnVisit']);
    expect(statesLeft(['closed'], ['closed'])).toEqual([]);
  });

  it('gives each deadline a stable name, its parsed phrase and its position', () => {
    const [contact, reply] = complaint.states.handling.deadlines;
    expect(contact).toMatchObject({ name: 'handling#0', spec: { kind: 'endOfDay' }, event: 'contactOverdue', payload: {} });
    expect(reply).toMatchObject({ name: 'handling#1', spec: { kind: 'rule', name: 'replyWithin' }, event: 'replyOverdue' });
    expect(complaint.states.longTermFollowUp.deadlines[0].spec).toEqual({ kind: 'context', path: 'longTerm.expectedBy' });
    expect(contact.position).toMatchObject({ file: 'complaint.yaml', path: 'states.handling.deadlines.0' });
  });

  it('resolves the complaint deadlines on the business calendar (3 working days across 调休 and 春节)', () => {
    const calendar = new BusinessCalendar();
    const context = { longTerm: { expectedBy: '2026-03-31' } };
    const resolve = (ref: { kind: string; name?: string; path?: string }) =>
      ref.kind === 'rule' ? complaint.ruleValues[ref.name as string] : (context.longTerm as Record<string, string>).expectedBy;
    // Dispatched Friday 2026-02-13 10:00 (Shanghai): the working days after it are Sat 14 (调休), Tue 24, Wed 25.
    const dispatched = new Date('2026-02-13T02:00:00Z');
    const [contact, reply] = complaint.states.handling.deadlines;
    expect(dueAt(contact.spec, dispatched, calendar, resolve).toISOString()).toBe('2026-02-13T10:00:00.000Z');
    expect(dueAt(reply.spec, dispatched, calendar, resolve).toISOString()).toBe('2026-02-25T10:00:00.000Z');
    // The date promised to the customer (2026-03-31, no time) falls due at the end of that day, 18:00 Shanghai.
    expect(dueAt(complaint.states.longTermFollowUp.deadlines[0].spec, dispatched, calendar, resolve).toISOString()).toBe('2026-03-31T10:00:00.000Z');
  });
});

describe('evaluatePayload', () => {
  const def = load(
    [
      'key: sample',
      'title: 示例',
      'roles: { clerk: {} }',
      'start: { roles: [clerk] }',
      'rules: { limit: { value: 7 days } }',
      'context: { type: object, properties: { unit: { type: string } } }',
      'initial: waiting',
      'states:',
      '  waiting:',
      '    deadlines:',
      '      - after: rules.limit',
      '        send: remind',
      '        payload: { reason: 超过回单时限, unit: =context.unit, limit: =rules.limit, at: =now, n: "=1 + 1" }',
      '    on:',
      '      remind: { roles: [system] }',
      '      finish: { roles: [clerk], target: done }',
      '  done: { type: final }',
    ].join('\n'),
  );

  it('evaluates literals and expressions with the context, rules, system actor and now, into plain JSON', () => {
    const [deadline] = def.states.waiting.deadlines;
    const payload = evaluatePayload(deadline, {
      context: { unit: '3栋1201' },
      payload: {},
      rules: def.ruleValues,
      actor: { id: 'system', roles: ['system'] },
      now: '2026-03-02T01:00:00.000Z',
    });
    expect(payload).toEqual({ reason: '超过回单时限', unit: '3栋1201', limit: '7 days', at: '2026-03-02T01:00:00.000Z', n: 2 });
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });
});

describe('schedules', () => {
  const def = load(
    [
      'key: complaint-report',
      'title: 投诉月报',
      'roles: { cs_supervisor: {} }',
      'start: { roles: [cs_supervisor, system] }',
      'rules: { prefix: { value: complaint-report } }',
      'context: { type: object, properties: { month: { type: string }, remindedBy: { type: string } } }',
      'initial: drafting',
      'schedules:',
      '  monthlyReport:',
      '    every: month on day 1 at 09:00',
      '    start:',
      '      # the month reported on is the previous one: step back a day from the 1st',
      '      businessKey: \'=rules.prefix + "-" + string((now - duration("24h")).getFullYear("Asia/Shanghai")) + "-" + string(101 + (now - duration("24h")).getMonth("Asia/Shanghai")).substring(1)\'',
      '      context: { month: \'=string(now.getFullYear("Asia/Shanghai")) + "-" + string(101 + now.getMonth("Asia/Shanghai")).substring(1)\' }',
      '  reminder:',
      '    every: every working day at 09:00',
      '    send:',
      '      event: remind',
      '      to: \'=rules.prefix + "-" + string(now.getFullYear("Asia/Shanghai"))\'',
      '      payload: { by: =actor.id }',
      'states:',
      '  drafting:',
      '    on:',
      '      remind: { roles: [system], assign: { remindedBy: =payload.by } }',
      '      submit: { roles: [cs_supervisor], target: done }',
      '  done: { type: final }',
    ].join('\n'),
  );

  it('loads the recurring phrase, with or without a repeated "every"', () => {
    expect(def.schedules.map((s) => [s.name, s.spec])).toEqual([
      ['monthlyReport', { kind: 'every', period: 'month', day: 1, time: '09:00' }],
      ['reminder', { kind: 'every', period: 'workingDay', time: '09:00' }],
    ]);
  });

  it('computes a month business key in the calendar time zone (CEL: getFullYear/getMonth with a zone, zero-padded with substring)', () => {
    // 2026-03-01 09:00 in Shanghai is 01:00 UTC: the report is about February.
    expect(evaluateSchedule(def, def.schedules[0], '2026-03-01T01:00:00.000Z')).toEqual({
      kind: 'start',
      businessKey: 'complaint-report-2026-02',
      context: { month: '2026-03' },
    });
    // January's report is made on 1 February; December's on 1 January of the next year.
    expect(evaluateSchedule(def, def.schedules[0], '2026-02-01T01:00:00.000Z')).toMatchObject({ businessKey: 'complaint-report-2026-01' });
    expect(evaluateSchedule(def, def.schedules[0], '2027-01-01T01:00:00.000Z')).toMatchObject({ businessKey: 'complaint-report-2026-12' });
  });

  it('evaluates a send with the system actor and empty context', () => {
    expect(evaluateSchedule(def, def.schedules[1], '2026-03-02T01:00:00.000Z')).toEqual({
      kind: 'send',
      event: 'remind',
      to: 'complaint-report-2026',
      payload: { by: 'system' },
    });
    expect(scheduleScope(def, '2026-03-02T01:00:00.000Z')).toMatchObject({ context: {}, payload: {}, actor: { id: 'system' } });
  });

  it('refuses a business key that is not a non-empty text', () => {
    const bad = load(
      [
        'key: bad',
        'title: x',
        'roles: { a: {} }',
        'start: { roles: [system] }',
        'initial: s',
        'schedules:',
        '  daily: { every: day at 08:00, start: { businessKey: =now.getFullYear() } }',
        'states: { s: { type: final } }',
      ].join('\n'),
    );
    let error: unknown;
    try {
      evaluateSchedule(bad, bad.schedules[0], '2026-03-02T01:00:00.000Z');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.ExpressionFailed);
    expect((error as AppError).message).toBe("schedule 'daily' of 'bad': businessKey must be a non-empty text, but it is 2026");
  });
});

describe('complaint.yaml deadline events (sent by system)', () => {
  const machine = createProcessMachine(complaint);
  const at = (h: number) => `2026-01-05T0${h}:00:00.000Z`;
  const dispatched = (): StepResult => {
    let step = machine.start(
      complaint.validateContext({
        receivedAt: '2026-01-05T09:00:00+08:00',
        complainant: '李先生',
        unit: '3栋1201',
        contact: '138',
        channel: '来访',
        content: '漏水',
      }).value,
      assistant,
      at(1),
    );
    step = machine.send(step.state, step.context, {
      type: 'classify',
      payload: { valid: true, category: '设备设施', severity: '一般' },
      actor: assistant,
      now: at(1),
    });
    return machine.send(step.state, step.context, { type: 'dispatch', payload: { department: '工程部' }, actor: assistant, now: at(2) });
  };
  const send = (step: StepResult, type: string, actor: Actor, payload: Record<string, unknown> = {}, now = at(9)) =>
    machine.send(step.state, step.context, { type, payload, actor, now });

  it('contactOverdue escalates to the CS supervisor when nobody recorded a contact, and stays', () => {
    const step = send(dispatched(), 'contactOverdue', system);
    expect(step.state).toBe('inProgress');
    expect(step.context.contactEscalatedAt).toBe(at(9));
    expect(step.effects).toEqual([
      { kind: 'notify', params: { role: 'cs_supervisor', message: '派单当天未联系投诉人，请跟进：3栋1201 李先生' }, state: 'handling' },
    ]);
  });

  it('contactOverdue does nothing once the contact is recorded', () => {
    const contacted = send(dispatched(), 'recordContact', assistant, { note: '已电话联系' }, at(3));
    const step = send(contacted, 'contactOverdue', system);
    expect(step).toMatchObject({ state: 'inProgress', effects: [] });
    expect(step.context.contactEscalatedAt).toBeUndefined();
  });

  it('replyOverdue without an explanation escalates to the manager; an explanation is then refused', () => {
    const step = send(dispatched(), 'replyOverdue', system);
    expect(step.statePath).toEqual(['handling', 'overdue']);
    expect(step.context).toMatchObject({ escalatedAt: at(9), replyOverdueAt: at(9) });
    expect(step.effects.map((e) => `${e.kind}:${String(e.params.role)}`)).toEqual(['notify:manager']);
    let error: AppError | undefined;
    try {
      send(step, 'explainDelay', deptHead, { explanation: '等待配件' });
    } catch (e) {
      error = e as AppError;
    }
    expect(error?.code).toBe(ErrorCode.EventNotAccepted);
    // The department can still reply (late).
    expect(send(step, 'reply', deptHead, { method: '更换', result: '已修复' }).state).toBe('returnVisit');
  });

  it('replyOverdue after an explanation is recorded without escalation', () => {
    const explained = send(dispatched(), 'explainDelay', deptHead, { explanation: '等待配件' }, at(5));
    const step = send(explained, 'replyOverdue', system);
    expect(step.state).toBe('delayExplained');
    expect(step.effects).toEqual([]);
    expect(step.context).toMatchObject({ explanation: '等待配件', replyOverdueAt: at(9) });
    expect(step.context.escalatedAt).toBeUndefined();
  });

  it('only the system may send a deadline event', () => {
    let error: AppError | undefined;
    try {
      send(dispatched(), 'replyOverdue', assistant);
    } catch (e) {
      error = e as AppError;
    }
    expect(error?.code).toBe(ErrorCode.Forbidden);
  });

  it('longTermDue reminds the department head and the CS supervisor at the expected date', () => {
    let step = send(dispatched(), 'markLongTerm', deptHead, { reason: '需更换整栋供水管' }, at(3));
    step = send(step, 'explainToCustomer', assistant, { explanation: '已说明施工计划', expectedBy: '2026-03-31' }, at(4));
    expect(step.state).toBe('longTermFollowUp');
    step = send(step, 'longTermDue', system, {}, '2026-03-30T16:00:00.000Z');
    expect(step.state).toBe('longTermFollowUp');
    expect(step.context.longTerm).toMatchObject({ dueNotifiedAt: '2026-03-30T16:00:00.000Z' });
    expect(step.effects.map((e) => e.params.role)).toEqual(['dept_head', 'cs_supervisor']);
    const resumed = send(step, 'resumeHandling', deptHead, {}, '2026-03-31T01:00:00.000Z');
    expect(resumed.state).toBe('delayExplained');
  });
});
