/**
 * Turns a computed step into the rows its transaction writes besides the instance and the
 * audit entry: timers armed by the states entered (and which states' timers to cancel),
 * documents rendered now (so the audit shows exactly what was produced), and outbox
 * messages for effects delivered after commit.
 *
 * Pure: no database, no clock, no randomness of its own. The time, the calendar, the templates
 * and the ids all come in through `PlanInput`, so the same input gives the same plan (the golden
 * tests in `transition-plan.spec.ts` assert whole plans). Ids are taken in a fixed order: timers
 * in the order their deadlines are declared, then per effect a document id (rendering effects)
 * before an outbox id (delivered effects).
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { IdGenerator } from '../common/ids';
import { deadlinesToStart, evaluatePayload, statesLeft } from '../compiler/deadlines';
import type { Actor, ProcessMachine, StepResult } from '../compiler/process-machine.contract';
import type { DeadlineDefinition, DeadlineSuspension, Effect, ExpressionScope, ResumeMode } from '../definitions/definition.types';
import type { TemplateCatalog } from '../documents/template-catalog';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { dueTime, type CalendarBasis } from '../calendar/deadline-spec';

/** The engine's own actor: deadlines, schedules, calendar changes. Never another process. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', roles: Object.freeze(['system']) as readonly string[] });

/** The prefix of the actor id another process's `emit`/`start` is delivered as: `process:<definition key>`. */
export const PROCESS_ACTOR_PREFIX = 'process:';

/**
 * The actor another process's `emit`/`start` is delivered as: `process:<key>` with the role
 * `process`, so the receiving audit entry names the sending process and `system` stays the
 * engine alone. What it may do is decided by the receiver's `from:` lists, not by this role.
 */
export function processActor(definitionKey: string): Actor {
  return Object.freeze({ id: `${PROCESS_ACTOR_PREFIX}${definitionKey}`, roles: Object.freeze(['process']) as readonly string[] });
}

/** Effect kinds that render a template when the transition happens. */
const RENDERING = new Set(['render', 'email', 'post']);
/** Effect kinds delivered after commit through the outbox. */
export const OUTBOX_KINDS = new Set(['email', 'notify', 'post', 'emit', 'start']);

export interface TimerRow {
  readonly id: string;
  readonly state: string;
  readonly deadline: string;
  readonly eventType: string;
  readonly payload: Record<string, unknown>;
  readonly dueAt: string;
  /** True when the due time counts working days of a year without official holiday data. */
  readonly provisional: boolean;
  /** What a holiday-dependent due time was computed from, to compute it again; else null. */
  readonly basis: CalendarBasis | null;
  /** Set when the timer resumes a suspended one (`suspend:`): how, and from what. */
  readonly resumed?: ResumedTimer;
}

/** A timer kept as `suspended` while the case waited in a holding state (`suspend:` on the deadline). */
export interface SuspendedTimer {
  readonly id: string;
  readonly deadline: string;
  readonly dueAt: string;
  readonly suspendedAt: string;
  /** When it was armed: the start of its full period. */
  readonly createdAt: string;
}

/** What the audit entry of a resuming step records about a resumed deadline. */
export interface ResumedTimer {
  readonly mode: ResumeMode;
  /** The suspended timer it replaces. */
  readonly timerId: string;
  readonly suspendedAt: string;
  readonly previousDueAt: string;
  /** The time that was left when it stopped (mode remaining) or its whole period (mode full), in ms. */
  readonly durationMs: number;
}

export interface DocumentRow {
  readonly id: string;
  readonly template: string;
  readonly templateHash: string;
  readonly title: string;
  readonly html: string;
}

export interface OutboxRow {
  readonly id: string;
  readonly kind: string;
  readonly params: Record<string, unknown>;
  readonly documentId: string | null;
}

/** An effect as the audit entry records it: with the ids of what it produced. */
export interface AuditedEffect extends Effect {
  readonly documentId?: string;
  readonly outboxId?: string;
  readonly templateHash?: string;
}

export interface TransitionPlan {
  /** Copies (`cc:` actions) to record in the transaction: the roles and login ids they go to. */
  readonly copies?: readonly { readonly roles: readonly string[]; readonly users: readonly string[]; readonly message: string | null }[];
  /** Domain writers (`apply:` actions) to run inside the transaction, in order. */
  readonly applies: readonly { readonly function: string; readonly args: Record<string, unknown> }[];
  readonly cancelStates: readonly string[];
  /** True when the instance completed: every pending (or suspended) timer is cancelled. */
  readonly cancelAll: boolean;
  /** Deadlines (by name) of the states left whose pending timers are suspended, not cancelled. */
  readonly suspend: readonly string[];
  /** Suspended timers this step settles: resumed by a new timer, or cancelled (their state was entered afresh). */
  readonly settleSuspended: readonly { readonly id: string; readonly status: 'resumed' | 'cancelled' }[];
  /** Context fields (dotted paths) a resumed `at: context.<field>` deadline writes its new due time into. */
  readonly contextUpdates: Readonly<Record<string, string>>;
  readonly timers: readonly TimerRow[];
  readonly documents: readonly DocumentRow[];
  readonly outbox: readonly OutboxRow[];
  readonly effects: readonly AuditedEffect[];
}

export interface PlanInput {
  readonly machine: ProcessMachine;
  readonly instanceId: string;
  readonly businessKey: string;
  /** Active path before the step; null when the instance is being created. */
  readonly fromState: string | null;
  readonly step: StepResult;
  readonly actor: Actor;
  readonly now: Date;
  readonly calendar: BusinessCalendar;
  readonly templates: Pick<TemplateCatalog, 'render'>;
  /** Names the timers, documents and outbox messages of the plan. */
  readonly ids: IdGenerator;
  /** The instance's suspended timers (only read when the definition has `suspend:` deadlines). */
  readonly suspended?: readonly SuspendedTimer[];
}

/** The resume mode of a suspended deadline: written in the YAML, or the value of the rule it names (checked at load). */
function resumeMode(suspend: DeadlineSuspension, rules: Readonly<Record<string, unknown>>): ResumeMode {
  return suspend.resume.kind === 'mode' ? suspend.resume.mode : rules[suspend.resume.name] === 'full' ? 'full' : 'remaining';
}

/**
 * The due time of a deadline coming back from its holding state. `remaining`: the time that was
 * left when it stopped runs again from now. `full`: the whole period runs again from now — for
 * a duration (`after: 3 working days`) computed afresh on the calendar, for a moment
 * (`at: context.x`) the span from when it was armed to its due time.
 */
function resumeTimer(
  deadline: DeadlineDefinition,
  stopped: SuspendedTimer,
  mode: ResumeMode,
  now: Date,
  calendar: BusinessCalendar,
  rules: Readonly<Record<string, unknown>>,
): Pick<TimerRow, 'dueAt' | 'provisional' | 'basis' | 'resumed'> {
  const previousDue = Date.parse(stopped.dueAt);
  const info = { mode, timerId: stopped.id, suspendedAt: stopped.suspendedAt, previousDueAt: stopped.dueAt };
  if (mode === 'full' && deadline.spec.kind !== 'context') {
    const due = dueTime(deadline.spec, now, calendar, (ref) => (ref.kind === 'rule' ? rules[ref.name] : undefined));
    return {
      dueAt: due.dueAt.toISOString(),
      provisional: due.provisional,
      basis: due.basis ?? null,
      resumed: { ...info, durationMs: due.dueAt.getTime() - now.getTime() },
    };
  }
  const durationMs = Math.max(0, previousDue - Date.parse(mode === 'full' ? stopped.createdAt : stopped.suspendedAt));
  return { dueAt: new Date(now.getTime() + durationMs).toISOString(), provisional: false, basis: null, resumed: { ...info, durationMs } };
}

function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : String(value).split(/[,;]/);
  return items.map((v) => String(v).trim()).filter(Boolean);
}

/** The rows a computed step writes besides the instance and its audit entry (see the file header). */
export function planTransition(input: PlanInput): TransitionPlan {
  const { machine, step, now, ids } = input;
  const def = machine.definition;
  const fromPath = input.fromState ? def.states[input.fromState].path : null;
  const nowIso = now.toISOString();

  const scope: ExpressionScope = { context: step.context, payload: {}, rules: def.ruleValues, actor: input.actor, now: nowIso };
  const suspended = new Map((input.suspended ?? []).map((t) => [t.deadline, t]));
  const settleSuspended: { id: string; status: 'resumed' | 'cancelled' }[] = [];
  const contextUpdates: Record<string, string> = {};
  const timers: TimerRow[] = step.done
    ? []
    : deadlinesToStart(def, fromPath, step.statePath).map((deadline) => {
        const stopped = suspended.get(deadline.name);
        const returning = deadline.suspend && fromPath ? fromPath.some((n) => deadline.suspend?.in.includes(n)) : false;
        if (stopped) settleSuspended.push({ id: stopped.id, status: returning ? 'resumed' : 'cancelled' });
        if (stopped && returning && deadline.suspend) {
          const mode = resumeMode(deadline.suspend, def.ruleValues);
          const resumedTimer = resumeTimer(deadline, stopped, mode, now, input.calendar, def.ruleValues);
          if (deadline.spec.kind === 'context') contextUpdates[deadline.spec.path] = resumedTimer.dueAt;
          return {
            id: ids.uuid(),
            state: deadline.name.split('#')[0],
            deadline: deadline.name,
            eventType: deadline.event,
            payload: evaluatePayload(deadline, scope),
            ...resumedTimer,
          };
        }
        const due = dueTime(deadline.spec, now, input.calendar, (ref) => (ref.kind === 'rule' ? def.ruleValues[ref.name] : getPath(step.context, ref.path)));
        return {
          id: ids.uuid(),
          state: deadline.name.split('#')[0],
          deadline: deadline.name,
          eventType: deadline.event,
          payload: evaluatePayload(deadline, scope),
          dueAt: due.dueAt.toISOString(),
          provisional: due.provisional,
          basis: due.basis ?? null,
        };
      });
  // Templates rendered by this step can print the deadlines it arms, by event name.
  const deadlines = Object.fromEntries(timers.map((t) => [t.eventType, { dueAt: t.dueAt, provisional: t.provisional }]));

  const documents: DocumentRow[] = [];
  const outbox: OutboxRow[] = [];
  const effects: AuditedEffect[] = step.effects.map((effect) => {
    let documentId: string | null = null;
    let templateHash: string | undefined;
    if (RENDERING.has(effect.kind)) {
      const template = String(effect.params.template ?? '');
      const data = {
        ...step.context,
        businessKey: input.businessKey,
        instanceId: input.instanceId,
        renderedAt: nowIso,
        definitionTitle: def.title,
        stateTitle: def.states[step.state]?.title ?? step.state,
        deadlines,
      };
      let rendered;
      try {
        rendered = input.templates.render(template, data);
      } catch (err) {
        throw new AppError(ErrorCode.TemplateInvalid, `rendering template '${template}' failed: ${(err as Error).message}`);
      }
      documentId = ids.uuid();
      templateHash = rendered.templateHash;
      documents.push({
        id: documentId,
        template,
        templateHash,
        html: rendered.html,
        title: String(effect.params.title ?? effect.params.subject ?? template).slice(0, 300),
      });
    }
    let outboxId: string | undefined;
    if (OUTBOX_KINDS.has(effect.kind)) {
      outboxId = ids.uuid();
      const params = effect.kind === 'email' ? { ...effect.params, to: list(effect.params.to), cc: list(effect.params.cc) } : effect.params;
      outbox.push({ id: outboxId, kind: effect.kind, params, documentId });
    }
    return { ...effect, ...(documentId ? { documentId, templateHash } : {}), ...(outboxId ? { outboxId } : {}) };
  });

  const applies = step.effects
    .filter((e) => e.kind === 'apply')
    .map((e) => ({
      function: String(e.params.function),
      args: (e.params.with && typeof e.params.with === 'object' ? e.params.with : {}) as Record<string, unknown>,
    }));
  const texts = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  const copies = step.effects
    .filter((e) => e.kind === 'cc')
    .map((e) => ({
      roles: texts(e.params.roles ?? []),
      users: texts(e.params.users ?? []),
      message: typeof e.params.message === 'string' ? e.params.message : null,
    }));
  const cancelStates = fromPath ? statesLeft(fromPath, step.statePath) : [];
  // A deadline of a state left for one of its holding states stands still instead of ending.
  const suspend = step.done
    ? []
    : cancelStates.flatMap((name) =>
        (def.states[name]?.deadlines ?? []).filter((d) => d.suspend?.in.some((h) => step.statePath.includes(h))).map((d) => d.name),
      );
  return {
    ...(copies.length > 0 ? { copies } : {}),
    applies,
    cancelStates,
    cancelAll: step.done,
    suspend,
    settleSuspended,
    contextUpdates,
    timers,
    documents,
    outbox,
    effects,
  };
}
