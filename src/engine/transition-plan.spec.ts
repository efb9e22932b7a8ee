/**
 * Golden tests of the pure planning step: a small definition, a step, and the whole plan it
 * produces (timers with their ids and due times, documents, outbox rows, audited effects).
 * Ids come from the sequential fake, the time from the input, so every value is pinned.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../compiler/process-machine.contract';
import { createProcessMachine } from '../compiler/process-machine';
import { SequentialIds } from '../common/ids';
import { ErrorCode } from '../common/app-error';
import { loadDefinition } from '../definitions/definition-loader';
import { TemplateCatalog } from '../documents/template-catalog';
import { BusinessCalendar } from '../calendar/business-calendar';
import { thrownAppError } from '../../test/support/app-error';
import { planTransition, SYSTEM_ACTOR, type PlanInput } from './transition-plan';

const REPAIR = `
key: repair
title: 报修
roles:
  clerk: { title: 客服 }
  head: { title: 主管 }
start:
  roles: [clerk]
rules:
  replyWithin: { value: 3 working days, title: 回复时限 }
context:
  type: object
  additionalProperties: false
  required: [title]
  properties:
    title: { type: string }
    email: { type: string }
    answer: { type: string }
initial: open
states:
  open:
    title: 待回复
    deadlines:
      - after: rules.replyWithin
        send: overdue
        payload: { title: "=context.title" }
      - at: end of day
        send: remindToday
    on:
      reply:
        roles: [head]
        payload:
          type: object
          required: [answer]
          properties: { answer: { type: string } }
        target: answered
        assign: { answer: "=payload.answer" }
        actions:
          - render: { template: slip, title: 报修回执 }
          - email: { to: "=context.email", cc: "boss@example.com; ", subject: 报修已回复, template: mail }
          - notify: { role: clerk, message: 报修已回复 }
      overdue:
        roles: [system]
      remindToday:
        roles: [system]
  answered:
    title: 已回复
    deadlines:
      - after: 7 days
        send: close
    on:
      close:
        roles: [system, clerk]
        target: closed
        actions:
          - apply: { function: repair.archive, with: { title: =context.title } }
  closed:
    title: 已关闭
    type: final
`;

const SLIP = '<p>{{businessKey}} {{title}}：{{answer}}（{{stateTitle}}）</p>';
const MAIL = '<p>{{title}} 已回复，回访期限 {{deadlines.close.dueAt}}</p>';
const templates = new TemplateCatalog({ templates: { slip: SLIP, mail: MAIL } });
const templateHash = (name: string, source: string) => createHash('sha256').update(`template ${name}\n${source}\n`).digest('hex');

function machine(text = REPAIR) {
  const loaded = loadDefinition(text, { file: 'repair.yaml', templates });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors, null, 2));
  return createProcessMachine(loaded.definition);
}

const clerk: Actor = { id: 'clerk-1', roles: ['clerk'] };
const head: Actor = { id: 'head-1', roles: ['head'] };
// Friday 2026-02-13, 10:00 in Shanghai.
const NOW = new Date('2026-02-13T02:00:00.000Z');
const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function input(overrides: Partial<PlanInput> & Pick<PlanInput, 'step' | 'fromState'>): PlanInput {
  return {
    machine: machine(),
    instanceId: 'inst-1',
    businessKey: 'R-1',
    actor: clerk,
    now: NOW,
    calendar: new BusinessCalendar(),
    templates,
    ids: new SequentialIds(),
    ...overrides,
  };
}

describe('planTransition (golden)', () => {
  it('on start arms the deadlines of the initial state, with ids from the port and due times from the calendar', () => {
    const m = machine();
    const step = m.start({ title: '电梯异响', email: 'zhang@example.com' }, clerk, NOW.toISOString());
    expect(planTransition(input({ machine: m, step, fromState: null }))).toEqual({
      applies: [],
      cancelStates: [],
      cancelAll: false,
      suspend: [],
      settleSuspended: [],
      contextUpdates: {},
      timers: [
        {
          // 3 working days from Friday 13 Feb: Sat 14 (调休), Tue 24, Wed 25 → 18:00 Shanghai.
          id: ID(1),
          state: 'open',
          deadline: 'open#0',
          eventType: 'overdue',
          payload: { title: '电梯异响' },
          dueAt: '2026-02-25T10:00:00.000Z',
          provisional: false,
          basis: { from: '2026-02-13T02:00:00.000Z', spec: { kind: 'workingDays', count: 3 } },
        },
        {
          id: ID(2),
          state: 'open',
          deadline: 'open#1',
          eventType: 'remindToday',
          payload: {},
          dueAt: '2026-02-13T10:00:00.000Z',
          provisional: false,
          basis: null,
        },
      ],
      documents: [],
      outbox: [],
      effects: [],
    });
  });

  it('on an event renders documents, queues outbox rows, cancels the timers of the state left and arms the next', () => {
    const m = machine();
    const context = { title: '电梯异响', email: 'zhang@example.com' };
    const step = m.send('open', context, { type: 'reply', payload: { answer: '已更换导靴' }, actor: head, now: NOW.toISOString() });
    const slipHash = templateHash('slip', SLIP);
    const mailHash = templateHash('mail', MAIL);
    expect(planTransition(input({ machine: m, step, fromState: 'open', actor: head }))).toEqual({
      applies: [],
      cancelStates: ['open'],
      cancelAll: false,
      suspend: [],
      settleSuspended: [],
      contextUpdates: {},
      // Ids in a fixed order: timers first, then per effect its document, then its outbox row.
      timers: [
        {
          id: ID(1),
          state: 'answered',
          deadline: 'answered#0',
          eventType: 'close',
          payload: {},
          dueAt: '2026-02-20T02:00:00.000Z',
          provisional: false,
          basis: null,
        },
      ],
      documents: [
        { id: ID(2), template: 'slip', templateHash: slipHash, title: '报修回执', html: '<p>R-1 电梯异响：已更换导靴（已回复）</p>' },
        // A template sees the deadlines the same step arms.
        { id: ID(3), template: 'mail', templateHash: mailHash, title: '报修已回复', html: '<p>电梯异响 已回复，回访期限 2026-02-20T02:00:00.000Z</p>' },
      ],
      outbox: [
        {
          id: ID(4),
          kind: 'email',
          documentId: ID(3),
          params: { to: ['zhang@example.com'], cc: ['boss@example.com'], subject: '报修已回复', template: 'mail' },
        },
        { id: ID(5), kind: 'notify', documentId: null, params: { role: 'clerk', message: '报修已回复' } },
      ],
      effects: [
        { kind: 'render', state: 'open', params: { template: 'slip', title: '报修回执' }, documentId: ID(2), templateHash: slipHash },
        {
          kind: 'email',
          state: 'open',
          params: { to: 'zhang@example.com', cc: 'boss@example.com; ', subject: '报修已回复', template: 'mail' },
          documentId: ID(3),
          templateHash: mailHash,
          outboxId: ID(4),
        },
        { kind: 'notify', state: 'open', params: { role: 'clerk', message: '报修已回复' }, outboxId: ID(5) },
      ],
    });
  });

  it('on reaching a final state cancels every timer, arms none, and lists the domain writers to run', () => {
    const m = machine();
    const context = { title: '电梯异响', answer: '已更换导靴' };
    const step = m.send('answered', context, { type: 'close', payload: {}, actor: SYSTEM_ACTOR, now: NOW.toISOString() });
    const ids = new SequentialIds();
    expect(planTransition(input({ machine: m, step, fromState: 'answered', actor: SYSTEM_ACTOR, ids }))).toEqual({
      applies: [{ function: 'repair.archive', args: { title: '电梯异响' } }],
      cancelStates: ['answered'],
      cancelAll: true,
      suspend: [],
      settleSuspended: [],
      contextUpdates: {},
      timers: [],
      documents: [],
      outbox: [],
      effects: [{ kind: 'apply', state: 'answered', params: { function: 'repair.archive', with: { title: '电梯异响' } } }],
    });
    expect(ids.issued).toBe(0);
  });

  it('is pure: the same input gives the same plan, and nothing but the id port is consulted for ids', () => {
    const m = machine();
    const step = m.send('open', { title: 't', email: 'a@example.com' }, { type: 'reply', payload: { answer: 'a' }, actor: head, now: NOW.toISOString() });
    const once = planTransition(input({ machine: m, step, fromState: 'open', ids: new SequentialIds('0000000a') }));
    const again = planTransition(input({ machine: m, step, fromState: 'open', ids: new SequentialIds('0000000a') }));
    expect(again).toEqual(once);
    expect(once.outbox.map((o) => o.id)).toEqual(['0000000a-0000-4000-8000-000000000004', '0000000a-0000-4000-8000-000000000005']);
  });

  it('refuses the whole step with TEMPLATE_INVALID when a template fails to render', () => {
    const broken = {
      render: () => {
        throw new Error('helper dateCn: not a date');
      },
    };
    const m = machine();
    const step = m.send(
      'open',
      { title: 'not a date', email: 'a@example.com' },
      { type: 'reply', payload: { answer: 'a' }, actor: head, now: NOW.toISOString() },
    );
    const err = thrownAppError(() => planTransition(input({ machine: m, step, fromState: 'open', templates: broken })));
    expect(err.code).toBe(ErrorCode.TemplateInvalid);
    expect(err.message).toBe("rendering template 'slip' failed: helper dateCn: not a date");
  });
});

const HOLDING = `
key: collect
title: 回收
roles:
  clerk: { title: 客服 }
start:
  roles: [clerk]
rules:
  resumeAs: { value: full, title: 恢复方式 }
context:
  type: object
  properties:
    dueAt: { type: string }
initial: running
states:
  running:
    deadlines:
      - at: context.dueAt
        send: due
        suspend: { in: [held], resume: remaining }
      - after: 3 working days
        send: remind
        suspend: { in: [held], resume: rules.resumeAs }
    on:
      hold: { roles: [clerk], target: held }
      due: { roles: [system], target: done }
      remind: { roles: [system] }
  held:
    on:
      resume: { roles: [clerk], target: running }
  done:
    type: final
`;

describe('planTransition: suspended deadlines', () => {
  const m = () => machine(HOLDING);
  // Monday 2026-03-02 09:00 Shanghai; the moment deadline is due a week later.
  const start = new Date('2026-03-02T01:00:00.000Z');
  const context = { dueAt: '2026-03-09T01:00:00.000Z' };

  it('suspends the deadlines of a state left for its holding state instead of cancelling them', () => {
    const mm = m();
    const step = mm.send('running', context, { type: 'hold', payload: {}, actor: clerk, now: start.toISOString() });
    const plan = planTransition(input({ machine: mm, step, fromState: 'running', now: start }));
    expect(plan).toMatchObject({ suspend: ['running#0', 'running#1'], cancelStates: ['running'], timers: [], settleSuspended: [], contextUpdates: {} });
  });

  it('resumes with the time that was left (remaining), or the whole period afresh (full, from a rule), and writes the moment back', () => {
    const mm = m();
    const back = new Date('2026-03-20T01:00:00.000Z'); // a Friday
    const step = mm.send('held', context, { type: 'resume', payload: {}, actor: clerk, now: back.toISOString() });
    const suspended = [
      // Stopped on Tue 03-03 09:00: 6 days left of the moment deadline.
      { id: 't-1', deadline: 'running#0', dueAt: '2026-03-09T01:00:00.000Z', suspendedAt: '2026-03-03T01:00:00.000Z', createdAt: start.toISOString() },
      { id: 't-2', deadline: 'running#1', dueAt: '2026-03-05T10:00:00.000Z', suspendedAt: '2026-03-03T01:00:00.000Z', createdAt: start.toISOString() },
    ];
    const plan = planTransition(input({ machine: mm, step, fromState: 'held', now: back, suspended }));
    expect(plan.settleSuspended).toEqual([
      { id: 't-1', status: 'resumed' },
      { id: 't-2', status: 'resumed' },
    ]);
    expect(plan.timers.map((t) => [t.deadline, t.dueAt, t.resumed?.mode, t.resumed?.timerId])).toEqual([
      ['running#0', '2026-03-26T01:00:00.000Z', 'remaining', 't-1'],
      // Full: 3 working days from Friday 03-20 → Wednesday 03-25, 18:00 Shanghai.
      ['running#1', '2026-03-25T10:00:00.000Z', 'full', 't-2'],
    ]);
    expect(plan.contextUpdates).toEqual({ dueAt: '2026-03-26T01:00:00.000Z' });
  });

  it('refuses a holding state that does not exist or contains the deadline, and a resume that is no mode, at their position', () => {
    const bad = HOLDING.replace('suspend: { in: [held], resume: remaining }', 'suspend: { in: [hled], resume: later }').replace('rules.resumeAs', 'rules.nope');
    const loaded = loadDefinition(bad, { file: 'collect.yaml' });
    expect(loaded.ok ? [] : loaded.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      expect.stringMatching(/^20:25 'suspend' names the state 'hled', which does not exist; .*Did you mean 'held'\?$/),
      expect.stringMatching(/^20:40 'resume' is 'later'; write 'remaining', 'full'/),
      expect.stringMatching(/^23:40 unknown rule 'nope'/),
    ]);
    const self = loadDefinition(HOLDING.replace('suspend: { in: [held], resume: remaining }', 'suspend: { in: [running], resume: remaining }'), {
      file: 'c.yaml',
    });
    expect(self.ok ? [] : self.errors.map((e) => e.message)).toEqual([expect.stringContaining("'suspend' names 'running', which is 'running' itself")]);
  });
});
