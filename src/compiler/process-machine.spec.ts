import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../common/app-error';
import { loadDefinition } from '../definitions/definition-loader';
import type { ProcessDefinition } from '../definitions/definition.types';
import { createProcessMachine } from './process-machine';
import type { Actor, IncomingEvent, ProcessMachine, StepResult } from './process-machine.contract';
import { thrownAppError as thrown } from '../../test/support/app-error';

function load(path: string): ProcessDefinition {
  const result = loadDefinition(readFileSync(path, 'utf8'), { file: path });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return result.definition;
}

const complaint = load(join(__dirname, '../../definitions/complaint.yaml'));
const pauseRequest = load(join(__dirname, '../../test/fixtures/definitions/pause-request.yaml'));

const assistant: Actor = { id: 'zhang', roles: ['cs_assistant'] };
const supervisor: Actor = { id: 'zhou', roles: ['cs_supervisor'] };
const deptHead: Actor = { id: 'chen', roles: ['dept_head'], attributes: { department: '工程部' } };
const securityHead: Actor = { id: 'zhao', roles: ['dept_head'], attributes: { department: '保安部' } };
const manager: Actor = { id: 'liu', roles: ['manager'] };
const T0 = '2026-01-05T01:00:00.000Z';

const newComplaint = () =>
  complaint.validateContext({
    receivedAt: '2026-01-05T09:00:00+08:00',
    complainant: '李先生',
    unit: '3栋1201',
    contact: '13800000000',
    channel: '来电/传真',
    content: '门岗抬杆',
  }).value;

/** Sends the events one after another, each from the previous result. */
function run(machine: ProcessMachine, first: StepResult, events: [string, Actor, Record<string, unknown>?][]): StepResult[] {
  const steps = [first];
  events.forEach(([type, actor, payload], i) => {
    const prev = steps[steps.length - 1];
    steps.push(machine.send(prev.state, prev.context, { type, actor, payload: payload ?? {}, now: `2026-01-0${6 + (i % 3)}T02:00:00.000Z` }));
  });
  return steps;
}

describe('createProcessMachine on complaint.yaml', () => {
  const machine = createProcessMachine(complaint);
  const start = () => machine.start(newComplaint(), assistant, T0);

  it('starts in registered and returns the record to render, not rendered', () => {
    const step = start();
    expect(step).toMatchObject({ state: 'registered', statePath: ['registered'], done: false });
    expect(step.effects).toEqual([{ kind: 'render', params: { template: 'complaint-record', title: '顾客投诉记录' }, state: 'registered' }]);
    expect(step.context).toMatchObject({ reopenCount: 0, delays: [], trainingCase: false });
  });

  it('goes through dispatch, reply, unsatisfied return visit (reopen), satisfied visit, tagging and archive', () => {
    const steps = run(machine, start(), [
      ['classify', assistant, { valid: true, category: '管理服务', severity: '一般' }],
      ['dispatch', assistant, { department: '保安部' }],
      ['recordContact', assistant, { note: '已电话联系' }],
      ['reply', securityHead, { method: '培训护卫员', result: '已道歉' }],
      ['recordReturnVisit', assistant, { satisfied: false, comment: '仍不满意' }],
      ['reply', securityHead, { method: '雨天站岗刷卡', result: '业主认可' }],
      ['recordReturnVisit', supervisor, { satisfied: true }],
      ['tagTrainingCase', manager, { note: '雨天门岗案例' }],
      ['archive', assistant, {}],
    ]);
    expect(steps.map((s) => s.state)).toEqual([
      'registered',
      'classified',
      'inProgress',
      'inProgress',
      'returnVisit',
      'inProgress',
      'returnVisit',
      'closed',
      'closed',
      'archived',
    ]);
    expect(steps[2].statePath).toEqual(['handling', 'inProgress']);
    // The slip, then the complaint record again with the reply deadline the dispatch arms.
    expect(steps[2].effects.map((e) => e.kind)).toEqual(['render', 'render', 'notify']);
    expect(steps[2].effects[2].params).toEqual({ role: 'dept_head', message: '新的投诉单：3栋1201（保安部）' });
    expect(steps[3].context.contactedAt).toBe('2026-01-08T02:00:00.000Z');
    expect(steps[5].context).toMatchObject({ reopenCount: 1, returnVisit: { satisfied: false, comment: '仍不满意', by: 'zhang' } });
    expect(steps[5].effects).toEqual([{ kind: 'notify', params: { role: 'dept_head', message: '顾客不满意，投诉重新处理：3栋1201' }, state: 'returnVisit' }]);
    expect(steps[7].context).toMatchObject({ reopenCount: 1, returnVisit: { satisfied: true }, handlingMethod: '雨天站岗刷卡' });
    expect(steps[8].context).toMatchObject({ trainingCase: true, trainingNote: '雨天门岗案例' });
    expect(steps.map((s) => s.done)).toEqual([false, false, false, false, false, false, false, false, false, true]);
  });

  it('closes an invalid complaint with its reason', () => {
    const [, last] = run(machine, start(), [['classify', supervisor, { valid: false, reason: '非物业管理范围' }]]);
    expect(last).toMatchObject({ state: 'invalid', done: true });
    expect(last.context).toMatchObject({ valid: false, invalidReason: '非物业管理范围', classifiedBy: 'zhou' });
  });

  it('handles a long-term problem: explanation, expected date, delay notes, then a reply', () => {
    const steps = run(machine, start(), [
      ['classify', assistant, { valid: true, category: '设备设施', severity: '较大' }],
      ['dispatch', assistant, { department: '工程部' }],
      ['explainDelay', deptHead, { explanation: '等待配件' }],
      ['markLongTerm', deptHead, { reason: '需更换整栋供水管' }],
      ['explainToCustomer', supervisor, { explanation: '已说明施工计划', expectedBy: '2026-03-31' }],
      ['reply', deptHead, { method: '更换水管', result: '已完成' }],
    ]);
    expect(steps.map((s) => s.state)).toEqual([
      'registered',
      'classified',
      'inProgress',
      'delayExplained',
      'longTermPending',
      'longTermFollowUp',
      'returnVisit',
    ]);
    expect(steps[3].context.delays).toEqual([{ at: '2026-01-08T02:00:00.000Z', by: 'chen', explanation: '等待配件' }]);
    expect(steps[3].context.explanation).toBe('等待配件');
    expect(steps[5].context.longTerm).toEqual({
      reason: '需更换整栋供水管',
      explanation: '已说明施工计划',
      expectedBy: '2026-03-31',
      explainedAt: '2026-01-07T02:00:00.000Z',
    });
  });

  it('tries branches in order: a major complaint also notifies the manager', () => {
    const steps = run(machine, start(), [
      ['classify', assistant, { valid: true, category: '突发事件', severity: '重大' }],
      ['dispatch', assistant, { department: '工程部' }],
    ]);
    expect(steps[2].effects.map((e) => `${e.kind}:${String(e.params.role ?? e.params.template)}`)).toEqual([
      'render:service-complaint-slip',
      'render:complaint-record',
      'notify:dept_head',
      'notify:manager',
    ]);
  });

  it('returns effects as plain data (nothing is rendered or sent)', () => {
    const a = run(machine, start(), [
      ['classify', assistant, { valid: true, category: '收费', severity: '一般' }],
      ['dispatch', assistant, { department: '财务部' }],
    ]);
    const b = run(machine, start(), [
      ['classify', assistant, { valid: true, category: '收费', severity: '一般' }],
      ['dispatch', assistant, { department: '财务部' }],
    ]);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(a).toEqual(b);
  });

  it('refuses an event the state does not accept, listing the accepted ones', () => {
    const step = start();
    const error = thrown(() => machine.send(step.state, step.context, { type: 'reply', payload: {}, actor: deptHead, now: T0 }));
    expect(error.code).toBe(ErrorCode.EventNotAccepted);
    expect(error.message).toBe("'reply' is not accepted in 'registered'; accepted now: classify");
  });

  it('refuses an actor without one of the event roles, naming the roles', () => {
    const step = start();
    const error = thrown(() => machine.send(step.state, step.context, { type: 'classify', payload: { oops: 1 }, actor: deptHead, now: T0 }));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toBe("'classify' may only be sent by cs_assistant, cs_supervisor; chen has dept_head");
  });

  it('refuses an invalid payload with JSON paths', () => {
    const step = start();
    const error = thrown(() => machine.send(step.state, step.context, { type: 'classify', payload: { valid: 'yes', extra: 1 }, actor: assistant, now: T0 }));
    expect(error.code).toBe(ErrorCode.PayloadInvalid);
    expect(error.details?.errors).toEqual([
      { path: '$.extra', message: 'is not an allowed field' },
      { path: '$.valid', message: 'must be boolean' },
    ]);
  });

  it("refuses with the process owner's own words when a 'reject' branch is taken, and changes nothing", () => {
    const step = start();
    const error = thrown(() =>
      machine.send(step.state, step.context, { type: 'classify', payload: { valid: true, category: '天气', severity: '一般' }, actor: assistant, now: T0 }),
    );
    expect(error.code).toBe(ErrorCode.GuardRejected);
    expect(error.message).toBe("'classify' was refused: 投诉类别须为以下之一：设备设施、管理服务、收费、突发事件");
    const dispatched = run(machine, start(), [
      ['classify', assistant, { valid: true, category: '设备设施', severity: '一般' }],
      ['dispatch', assistant, { department: '工程部' }],
    ]).at(-1)!;
    const wrongDepartment = thrown(() =>
      machine.send(dispatched.state, dispatched.context, { type: 'reply', payload: { method: 'a', result: 'b' }, actor: securityHead, now: T0 }),
    );
    expect(wrongDepartment.message).toBe("'reply' was refused: 该投诉已派往工程部，只有该部门负责人可以回单");
    const noDepartment = thrown(() =>
      machine.send(dispatched.state, dispatched.context, {
        type: 'reply',
        payload: { method: 'a', result: 'b' },
        actor: { id: 'x', roles: ['dept_head'] },
        now: T0,
      }),
    );
    expect(noDepartment.code).toBe(ErrorCode.GuardRejected);
  });

  it('refuses when no branch holds, listing the conditions', () => {
    const loaded = loadDefinition(
      [
        'key: gate',
        'title: 门',
        'roles: { guard: { title: 门卫 } }',
        'start: { roles: [guard] }',
        'initial: shut',
        'states:',
        '  shut:',
        '    on:',
        '      open:',
        '        roles: [guard]',
        '        branches:',
        '          - when: payload.code == "1234"',
        '            target: opened',
        '  opened: { type: final }',
      ].join('\n'),
      { file: 'gate.yaml' },
    );
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
    const gate = createProcessMachine(loaded.definition);
    const first = gate.start({}, { id: 'g', roles: ['guard'] }, T0);
    const error = thrown(() =>
      gate.send(first.state, first.context, { type: 'open', payload: { code: '0000' }, actor: { id: 'g', roles: ['guard'] }, now: T0 }),
    );
    expect(error.code).toBe(ErrorCode.GuardRejected);
    expect(error.message).toContain('payload.code == "1234"');
  });

  it('lists events of ancestors after the inner ones', () => {
    expect(machine.acceptedEvents('inProgress').map((a) => `${a.state}:${a.event.type}`)).toEqual([
      'inProgress:explainDelay',
      'handling:recordContact',
      'handling:contactOverdue',
      'handling:replyOverdue',
      'handling:markLongTerm',
      'handling:reply',
    ]);
    expect(machine.acceptedEvents('delayExplained').map((a) => `${a.state}:${a.event.type}`)[0]).toBe('delayExplained:replyOverdue');
    expect(machine.acceptedEvents('archived')).toEqual([]);
  });

  it('gives the same result when restored from (state, context) after every step', () => {
    const events: [string, Actor, Record<string, unknown>][] = [
      ['classify', assistant, { valid: true, category: '管理服务', severity: '重大' }],
      ['dispatch', assistant, { department: '保安部' }],
      ['explainDelay', securityHead, { explanation: '人手不足' }],
      ['reply', securityHead, { method: 'a', result: 'b' }],
      ['recordReturnVisit', assistant, { satisfied: false }],
      ['markLongTerm', securityHead, { reason: 'c' }],
      ['explainToCustomer', assistant, { explanation: 'd', expectedBy: '2026-06-30' }],
      ['reply', securityHead, { method: 'e', result: 'f' }],
      ['recordReturnVisit', assistant, { satisfied: true }],
      ['archive', assistant, {}],
    ];
    const uninterrupted = run(machine, start(), events);
    // Persist as JSON text and rebuild a fresh machine for every step, as the engine does after a restart.
    let persisted = JSON.stringify({ state: uninterrupted[0].state, context: uninterrupted[0].context });
    const restored: StepResult[] = [];
    events.forEach(([type, actor, payload], i) => {
      const { state, context } = JSON.parse(persisted);
      const fresh = createProcessMachine(complaint);
      const event: IncomingEvent = { type, actor, payload, now: `2026-01-0${6 + (i % 3)}T02:00:00.000Z` };
      const step = fresh.send(state, context, event);
      restored.push(step);
      persisted = JSON.stringify({ state: step.state, context: step.context });
    });
    expect(restored).toEqual(uninterrupted.slice(1));
    expect(restored[restored.length - 1]).toMatchObject({ state: 'archived', done: true });
  });
});

describe('createProcessMachine on the pause-request fixture', () => {
  const machine = createProcessMachine(pauseRequest);
  const head: Actor = { id: 'p1', roles: ['project_head'] };
  const region: Actor = { id: 'r1', roles: ['region'] };
  const start = (context: Record<string, unknown> = { project: 'p-01', score: 2 }) => machine.start(pauseRequest.validateContext(context).value, head, T0);
  const send = (step: StepResult, type: string, actor: Actor, payload: Record<string, unknown> = {}) =>
    machine.send(step.state, step.context, { type, actor, payload, now: '2026-02-01T00:00:00.000Z' });

  it('evaluates entry effects at start and multiplies ints by doubles', () => {
    const s0 = start();
    expect(s0.effects).toEqual([{ kind: 'render', params: { template: 'pause-application' }, state: 'draft' }]);
    const s1 = send(s0, 'submit', head, { days: 10 });
    expect(s1).toMatchObject({ state: 'regional', statePath: ['review', 'regional'] });
    expect(s1.context).toMatchObject({ days: 10, score: 3 });
  });

  it('assigns nested paths and evaluates effect params, including maps of expressions', () => {
    const s2 = send(send(start(), 'submit', head, { days: 10 }), 'decide', region, { approve: true });
    expect(s2).toMatchObject({ state: 'paused', done: true });
    expect(s2.context).toMatchObject({
      decision: 'approved',
      pause: { days: 10, endsAt: '2026-02-11T00:00:00.000Z', approvedBy: 'r1' },
    });
    // Exit of `review` first, then the transition's actions (XState's order).
    expect(s2.effects).toEqual([
      { kind: 'notify', params: { role: 'project_head', message: '审批结束：p-01' }, state: 'review' },
      { kind: 'email', params: { to: 'p-01@example.com', subject: '暂停申请已批准', template: 'pause-approved' }, state: 'regional' },
      { kind: 'emit', params: { event: 'projectPaused', to: 'parent', payload: { project: 'p-01', days: 10 } }, state: 'regional' },
    ]);
  });

  it('takes the first branch whose condition holds', () => {
    const tooLong = send(send(start(), 'submit', head, { days: 120 }), 'decide', region, { approve: true });
    expect(tooLong).toMatchObject({ state: 'draft', context: { decision: 'too long', rejections: 1 } });
    const rejected = send(send(start(), 'submit', head, { days: 5 }), 'decide', region, { approve: false });
    expect(rejected).toMatchObject({ state: 'draft', context: { decision: 'rejected', rejections: 1 } });
  });

  it('refuses assignments that break the context schema, with paths', () => {
    const s1 = send(start(), 'submit', head, { days: 3 });
    const error = thrown(() => send(s1, 'break', region));
    expect(error.code).toBe(ErrorCode.ContextInvalid);
    expect(error.details?.errors).toEqual([{ path: '$.days', message: 'must be >= 1' }]);
  });

  it('reports a failing expression as ExpressionFailed with its place in the YAML', () => {
    const s0 = start({ project: 'p-02' }); // no score: `context.score * rules.scoreFactor` fails
    const error = thrown(() => send(s0, 'submit', head, { days: 3 }));
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(
      /^the expression `context.score \* rules.scoreFactor` \(.*pause-request.yaml:46:19, states.draft.on.submit.assign.score\) failed: No such key: score/,
    );
  });

  it('accepts an event of the compound parent while in a child', () => {
    const s = send(send(start(), 'submit', head, { days: 3 }), 'withdraw', head);
    expect(s).toMatchObject({ state: 'withdrawn', done: true });
    expect(s.effects.map((e) => e.kind)).toEqual(['notify']);
  });
});

describe('values: the = convention', () => {
  const text = `
key: values
title: 值
roles: { clerk: {} }
start: { roles: [clerk] }
context: { type: object, properties: { note: {}, half: {}, unit: {} } }
initial: a
states:
  a:
    on:
      go:
        roles: [clerk]
        target: b
        assign: { note: "==A", half: =7.0 / 2 }
        actions:
          - start: { definition: other, businessKey: ="CA-" + context.unit, context: { source: =context.unit, fixed: [1, 文本] } }
  b: { type: final }
`;
  it('treats =text as an expression, ==text as a literal starting with =, and evaluates inside maps', () => {
    const result = loadDefinition(text, { file: 'values.yaml' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const machine = createProcessMachine(result.definition);
    const clerk = { id: 'c', roles: ['clerk'] };
    const step = machine.send('a', { unit: '3-1' }, { type: 'go', payload: {}, actor: clerk, now: T0 });
    expect(step.context).toEqual({ unit: '3-1', note: '=A', half: 3.5 });
    expect(step.effects).toEqual([
      { kind: 'start', params: { definition: 'other', businessKey: 'CA-3-1', context: { source: '3-1', fixed: [1, '文本'] } }, state: 'a' },
    ]);
  });
});
