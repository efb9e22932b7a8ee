import type { StepResult } from '../compiler/process-machine.contract';
import type { TimerRow, TransitionPlan } from '../engine/transition-plan';
import { ScenarioStore } from './scenario-store';

const clerk = { id: 'zhao', roles: ['clerk'] };
const system = { id: 'system', roles: ['system'] };
const instance = { id: 'i1', definition: 'drill', businessKey: 'd-1' };

const step = (state: string, context: Record<string, unknown> = {}, done = false): StepResult => ({ state, statePath: [state], context, done, effects: [] });
const timer = (id: string, state: string, eventType: string, dueAt: string): TimerRow => ({
  id,
  state,
  deadline: `${state}#0`,
  eventType,
  payload: { why: eventType },
  dueAt,
  provisional: false,
  basis: null,
});
const plan = (p: Partial<TransitionPlan> = {}): TransitionPlan => ({
  applies: [],
  cancelStates: [],
  cancelAll: false,
  suspend: [],
  settleSuspended: [],
  contextUpdates: {},
  timers: [],
  documents: [],
  outbox: [],
  effects: [],
  ...p,
});

describe('ScenarioStore', () => {
  it('keeps the instance, its trail and its timers as the engine stores them', async () => {
    const store = new ScenarioStore();
    store.create(instance, {
      eventType: '$start',
      payload: { a: 1 },
      actor: clerk,
      at: '2026-03-06T01:00:00.000Z',
      step: step('open', { a: 1 }),
      plan: plan({ timers: [timer('t1', 'open', 'remind', '2026-03-06T10:00:00.000Z'), timer('t2', 'open', 'close', '2026-03-10T10:00:00.000Z')] }),
    });
    const due = store.dueTimer('i1', 'remind', '2026-03-06T10:00:00.000Z');
    expect(due).toMatchObject({ id: 't1', payload: { why: 'remind' } });
    expect(store.dueTimer('i1', 'close', '2026-03-06T10:00:00.000Z')).toBeUndefined();
    const cancelled = store.transition('i1', {
      eventType: 'remind',
      payload: { why: 'remind' },
      actor: system,
      at: '2026-03-06T10:00:00.000Z',
      step: step('closed', { a: 2 }, true),
      plan: plan({ cancelAll: true }),
      timerId: 't1',
    });
    expect(cancelled.map((t) => t.id)).toEqual(['t2']);

    const [stored] = await store.instancesOf('drill');
    expect(stored).toEqual({
      id: 'i1',
      definition: 'drill',
      businessKey: 'd-1',
      state: 'closed',
      status: 'completed',
      context: { a: 2 },
      createdAt: '2026-03-06T01:00:00.000Z',
      updatedAt: '2026-03-06T10:00:00.000Z',
      trail: [
        { seq: 1, eventType: '$start', at: '2026-03-06T01:00:00.000Z', actor: 'zhao', fromState: null, toState: 'open', payload: { a: 1 } },
        { seq: 2, eventType: 'remind', at: '2026-03-06T10:00:00.000Z', actor: 'system', fromState: 'open', toState: 'closed', payload: { why: 'remind' } },
      ],
      timers: [
        { eventType: 'remind', dueAt: '2026-03-06T10:00:00.000Z', status: 'fired', firedAt: '2026-03-06T10:00:00.000Z', provisional: false },
        { eventType: 'close', dueAt: '2026-03-10T10:00:00.000Z', status: 'cancelled', firedAt: null, provisional: false },
      ],
    });
    await expect(store.instancesOf('drill', { id: 'other' })).resolves.toEqual([]);
    await expect(store.instancesOf('complaint')).resolves.toEqual([]);
  });

  it('hands out copies: a domain function cannot change what is stored', async () => {
    const store = new ScenarioStore();
    store.create(instance, { eventType: '$start', payload: {}, actor: clerk, at: '2026-03-06T01:00:00.000Z', step: step('open', { list: [1] }), plan: plan() });
    const [first] = await store.instancesOf('drill');
    (first.context.list as number[]).push(2);
    expect(store.instance('i1').context).toEqual({ list: [1] });
  });

  it('refuses SQL: a simulation has no domain tables', async () => {
    await expect(new ScenarioStore().query('SELECT household_id\n  FROM survey_households WHERE round_id = $1', ['r'])).rejects.toThrow(
      "wf simulate has no database, so a domain function cannot read the domain's own tables (it asked: SELECT household_id FROM survey_households WHERE round_id = $1)",
    );
  });
  it('suspends, resumes and writes back a suspend: deadline as the engine does', () => {
    const store = new ScenarioStore();
    store.create(instance, {
      eventType: '$start',
      payload: {},
      actor: clerk,
      at: '2026-03-02T01:00:00.000Z',
      step: step('open', { dueAt: '2026-03-09T01:00:00.000Z' }),
      plan: plan({ timers: [timer('t1', 'open', 'due', '2026-03-09T01:00:00.000Z')] }),
    });
    store.transition('i1', {
      eventType: 'hold',
      payload: {},
      actor: clerk,
      at: '2026-03-03T01:00:00.000Z',
      step: step('held'),
      plan: plan({ suspend: ['open#0'], cancelStates: ['open'] }),
    });
    expect(store.suspended('i1')).toEqual([
      { id: 't1', deadline: 'open#0', dueAt: '2026-03-09T01:00:00.000Z', suspendedAt: '2026-03-03T01:00:00.000Z', createdAt: '2026-03-02T01:00:00.000Z' },
    ]);
    store.transition('i1', {
      eventType: 'resume',
      payload: {},
      actor: clerk,
      at: '2026-03-20T01:00:00.000Z',
      step: step('open', { dueAt: '2026-03-09T01:00:00.000Z' }),
      plan: plan({
        settleSuspended: [{ id: 't1', status: 'resumed' }],
        contextUpdates: { dueAt: '2026-03-26T01:00:00.000Z' },
        timers: [timer('t2', 'open', 'due', '2026-03-26T01:00:00.000Z')],
      }),
    });
    expect(store.suspended('i1')).toEqual([]);
    expect(store.instance('i1').context).toEqual({ dueAt: '2026-03-26T01:00:00.000Z' });
    expect(store.dueTimer('i1', 'due', '2026-03-26T01:00:00.000Z')).toMatchObject({ id: 't2' });
  });
});
