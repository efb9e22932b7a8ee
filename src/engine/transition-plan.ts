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
import type { Effect, ExpressionScope } from '../definitions/definition.types';
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
  /** Domain writers (`apply:` actions) to run inside the transaction, in order. */
  readonly applies: readonly { readonly function: string; readonly args: Record<string, unknown> }[];
  readonly cancelStates: readonly string[];
  /** True when the instance completed: every pending timer is cancelled. */
  readonly cancelAll: boolean;
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
  const timers: TimerRow[] = step.done
    ? []
    : deadlinesToStart(def, fromPath, step.statePath).map((deadline) => {
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
  return {
    applies,
    cancelStates: fromPath ? statesLeft(fromPath, step.statePath) : [],
    cancelAll: step.done,
    timers,
    documents,
    outbox,
    effects,
  };
}
