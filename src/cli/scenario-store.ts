/**
 * The store `wf simulate` runs against: the instances a scenario created, kept in memory the
 * way the engine keeps them in its tables (the instance row, its audit trail, its timers), and
 * read by `compute:` domain functions through the same `DomainStore` port the service gives
 * them (`RecordsService`). Each transition is recorded from the same `TransitionPlan` the
 * engine writes: timers of the states left cancelled, the new ones armed, a fired one marked.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor, StepResult } from '../compiler/process-machine.contract';
import { jsonCopy } from '../definitions/json-schema.util';
import type { DomainStore, StoredInstance } from '../engine/domain-functions';
import type { SuspendedTimer, TimerRow, TransitionPlan } from '../engine/transition-plan';

/** A timer row as the engine's `timers` table has it: the plan's row, with its status. */
export interface ScenarioTimer extends Omit<TimerRow, 'basis'> {
  readonly createdSeq: number;
  status: 'pending' | 'fired' | 'cancelled' | 'suspended' | 'resumed';
  firedAt: string | null;
  /** When a `suspend:` deadline stopped. */
  suspendedAt?: string;
  /** When it was armed (the start of its full period). */
  readonly createdAt?: string;
}

interface ScenarioInstance {
  readonly id: string;
  readonly definition: string;
  readonly businessKey: string;
  state: string;
  status: 'active' | 'completed';
  context: Record<string, unknown>;
  readonly createdAt: string;
  updatedAt: string;
  readonly trail: StoredInstance['trail'][number][];
  readonly timers: ScenarioTimer[];
}

/** One recorded transition: what the engine's transaction would write. */
export interface ScenarioTransition {
  readonly eventType: string;
  /** The payload as the audit entry records it (computed fields included). */
  readonly payload: unknown;
  readonly actor: Actor;
  readonly at: string;
  readonly step: StepResult;
  readonly plan: TransitionPlan;
  /** The timer this event fired, if a due timer sent it. */
  readonly timerId?: string;
}

export class ScenarioStore implements DomainStore {
  private readonly instances = new Map<string, ScenarioInstance>();

  /** Records a new instance and its first audit entry (`$start`, payload: the context as given). */
  create(instance: { id: string; definition: string; businessKey: string }, start: ScenarioTransition): void {
    if (this.instances.has(instance.id)) throw new AppError(ErrorCode.AlreadyExists, `instance ${instance.id} already exists`);
    this.instances.set(instance.id, {
      ...instance,
      state: start.step.state,
      status: 'active',
      context: {},
      createdAt: start.at,
      updatedAt: start.at,
      trail: [],
      timers: [],
    });
    this.transition(instance.id, start, null);
  }

  /**
   * Records a transition like the engine's transaction: the instance row, the audit entry, the
   * fired timer, the timers cancelled (those of the states left, or all when it completed) and
   * armed. Returns the timers it cancelled, in the order they were armed.
   */
  transition(id: string, t: ScenarioTransition, fromState: string | null = this.get(id).state): ScenarioTimer[] {
    const instance = this.get(id);
    const seq = instance.trail.length + 1;
    if (t.timerId) {
      const fired = instance.timers.find((timer) => timer.id === t.timerId && timer.status === 'pending');
      if (!fired) throw new AppError(ErrorCode.VersionConflict, `timer ${t.timerId} already fired or was cancelled`);
      fired.status = 'fired';
      fired.firedAt = t.at;
    }
    instance.trail.push({
      seq,
      eventType: t.eventType,
      at: t.at,
      actor: t.actor.id,
      fromState,
      toState: t.step.state,
      payload: jsonCopy(t.payload),
    });
    // As the engine does: suspend (`suspend:`), settle what was suspended, then cancel.
    for (const timer of instance.timers) {
      if (timer.status === 'pending' && t.plan.suspend.includes(timer.deadline)) {
        timer.status = 'suspended';
        timer.suspendedAt = t.at;
      }
    }
    for (const settled of t.plan.settleSuspended) {
      const timer = instance.timers.find((x) => x.id === settled.id && x.status === 'suspended');
      if (timer) timer.status = settled.status;
    }
    const cancelled = instance.timers.filter(
      (timer) =>
        (timer.status === 'pending' && (t.plan.cancelAll || t.plan.cancelStates.includes(timer.state))) || (t.plan.cancelAll && timer.status === 'suspended'),
    );
    for (const timer of cancelled) timer.status = 'cancelled';
    for (const timer of t.plan.timers) {
      instance.timers.push({
        id: timer.id,
        state: timer.state,
        deadline: timer.deadline,
        eventType: timer.eventType,
        payload: jsonCopy(timer.payload),
        dueAt: timer.dueAt,
        provisional: timer.provisional,
        createdSeq: seq,
        createdAt: t.at,
        status: 'pending',
        firedAt: null,
        ...(timer.resumed ? { resumed: timer.resumed } : {}),
      });
    }
    instance.state = t.step.state;
    instance.status = t.step.done ? 'completed' : 'active';
    instance.context = jsonCopy(t.step.context);
    for (const [path, value] of Object.entries(t.plan.contextUpdates)) setPath(instance.context, path, value);
    instance.updatedAt = t.at;
    return cancelled;
  }

  /** The instance's suspended timers, as the engine passes them to the plan of the next step. */
  suspended(id: string): SuspendedTimer[] {
    return this.get(id)
      .timers.filter((t) => t.status === 'suspended')
      .map((t) => ({ id: t.id, deadline: t.deadline, dueAt: t.dueAt, suspendedAt: t.suspendedAt ?? t.dueAt, createdAt: t.createdAt ?? t.dueAt }));
  }

  /** The instance as stored (a copy): state, status and context after its last transition. */
  instance(id: string): { readonly state: string; readonly status: 'active' | 'completed'; readonly context: Record<string, unknown> } {
    const { state, status, context } = this.get(id);
    return { state, status, context: jsonCopy(context) };
  }

  /**
   * The pending timer that would send `eventType` at `now`: the earliest due one, if it is due.
   * The engine's timer runner sends its event as `system`, with the payload evaluated when armed.
   */
  dueTimer(id: string, eventType: string, now: string): ScenarioTimer | undefined {
    return this.get(id)
      .timers.filter((t) => t.status === 'pending' && t.eventType === eventType && Date.parse(t.dueAt) <= Date.parse(now))
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
  }

  async instancesOf(definition: string, filter: { id?: string } = {}): Promise<StoredInstance[]> {
    return [...this.instances.values()]
      .filter((i) => i.definition === definition && (filter.id === undefined || i.id === filter.id))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .map((i) =>
        jsonCopy({
          id: i.id,
          definition: i.definition,
          businessKey: i.businessKey,
          state: i.state,
          status: i.status,
          context: i.context,
          createdAt: i.createdAt,
          updatedAt: i.updatedAt,
          trail: i.trail,
          timers: [...i.timers]
            .sort((a, b) => a.createdSeq - b.createdSeq || a.dueAt.localeCompare(b.dueAt))
            .map((t) => ({ eventType: t.eventType, dueAt: t.dueAt, status: t.status, firedAt: t.firedAt, provisional: t.provisional })),
        }),
      );
  }

  /** A simulation has no domain tables (rosters, exclusions, ...): a function that reads them cannot be simulated. */
  async query<T = Record<string, unknown>>(sql: string, _params?: readonly unknown[]): Promise<T[]> {
    throw new AppError(
      ErrorCode.BadRequest,
      `wf simulate has no database, so a domain function cannot read the domain's own tables (it asked: ${sql.replace(/\s+/g, ' ').trim()}); try this step on a test instance of the service`,
    );
  }

  private get(id: string): ScenarioInstance {
    const instance = this.instances.get(id);
    if (!instance) throw new AppError(ErrorCode.NotFound, `no instance '${id}'`);
    return instance;
  }
}

/** Sets a dotted path in a context, creating maps on the way (a resumed deadline's new due time). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
}
