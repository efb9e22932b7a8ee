/**
 * Deadlines and schedules, the pure part: which deadlines a step arms, which states it leaves
 * (whose timers the engine cancels), and the values of deadline payloads and schedules.
 *
 * The compiler keeps no timers. The engine arms one timer row per deadline of each state
 * entered, computes its due time with `dueAt` (calendar/deadline-spec.ts) and the business
 * calendar, and cancels the timers of every state left. When a timer falls due, the engine
 * sends `deadline.event` with the evaluated payload as the actor `system`, through the same
 * checked and audited path as any other event.
 */
import { AppError, ErrorCode } from '../common/app-error';
import { jsonCopy } from '../definitions/json-schema.util';
import type { DeadlineDefinition, ExpressionScope, ProcessDefinition, ScheduleDefinition, ValueSpec } from '../definitions/definition.types';

/** The engine's own actor, as expressions of deadlines and schedules see it. */
export const SYSTEM_EXPRESSION_ACTOR: ExpressionScope['actor'] = Object.freeze({ id: 'system', roles: Object.freeze(['system']) });

/**
 * Deadlines to arm after a step: those of the states in `toPath` that are not in `fromPath`
 * (outermost state first, each state's deadlines in YAML order). On start `fromPath` is null,
 * so every state of `toPath` counts as entered. A state on both paths stays active and keeps
 * its timers: moving between the inner states of `handling` does not restart its deadlines.
 */
export function deadlinesToStart(definition: ProcessDefinition, fromPath: readonly string[] | null, toPath: readonly string[]): DeadlineDefinition[] {
  const before = new Set(fromPath ?? []);
  return toPath.filter((name) => !before.has(name)).flatMap((name) => [...(definition.states[name]?.deadlines ?? [])]);
}

/** States active before the step and not after it (innermost first): their timers are cancelled. */
export function statesLeft(fromPath: readonly string[], toPath: readonly string[]): string[] {
  const after = new Set(toPath);
  return fromPath.filter((name) => !after.has(name)).reverse();
}

/**
 * The payload a deadline sends, evaluated when the timer is armed (so it records the situation
 * then). `scope` is the context after the step, `payload: {}`, the rules, the actor `system`
 * and the engine's `now`. Plain JSON.
 */
export function evaluatePayload(deadline: DeadlineDefinition, scope: ExpressionScope): Record<string, unknown> {
  return evaluateMap(deadline.payload, scope);
}

/** The scope of a schedule's expressions: no instance yet, so `context` and `payload` are empty. */
export function scheduleScope(definition: ProcessDefinition, now: string, payload: Record<string, unknown> = {}): ExpressionScope {
  return { context: {}, payload, rules: definition.ruleValues, actor: SYSTEM_EXPRESSION_ACTOR, now };
}

export type ScheduledAction =
  | { readonly kind: 'start'; readonly businessKey: string; readonly context: Record<string, unknown> }
  | { readonly kind: 'send'; readonly event: string; readonly to: string; readonly payload: Record<string, unknown> };

/**
 * What a schedule does when it falls due at `now` (ISO): start an instance of the definition
 * with this business key and context, or send an event to the instance with business key `to`.
 * Throws `ExpressionFailed` when an expression fails or the business key is not a non-empty text.
 */
export function evaluateSchedule(definition: ProcessDefinition, schedule: ScheduleDefinition, now: string): ScheduledAction {
  return evaluateScheduleFor(definition, schedule, scheduleScope(definition, now));
}

/**
 * What a schedule does at `now`: one action, or with `forEach` one per element of the list
 * (the element is `payload` in its expressions), in the list's order.
 */
export function evaluateScheduleRun(definition: ProcessDefinition, schedule: ScheduleDefinition, now: string): ScheduledAction[] {
  if (!schedule.forEach) return [evaluateSchedule(definition, schedule, now)];
  const list = evaluateValue(schedule.forEach, scheduleScope(definition, now));
  if (!Array.isArray(list)) {
    throw new AppError(
      ErrorCode.ExpressionFailed,
      `schedule '${schedule.name}' of '${definition.key}': forEach must give a list, but it gives ${JSON.stringify(list) ?? 'nothing'}`,
      { schedule: schedule.name },
    );
  }
  return list.map((element, i) => {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      throw new AppError(
        ErrorCode.ExpressionFailed,
        `schedule '${schedule.name}' of '${definition.key}': element ${i + 1} of forEach is ${JSON.stringify(element)}; each element must be a map (read as payload)`,
        { schedule: schedule.name },
      );
    }
    return evaluateScheduleFor(definition, schedule, scheduleScope(definition, now, element as Record<string, unknown>));
  });
}

function evaluateScheduleFor(definition: ProcessDefinition, schedule: ScheduleDefinition, scope: ExpressionScope): ScheduledAction {
  const key = (spec: ValueSpec, what: string): string => {
    const value = evaluateValue(spec, scope);
    if (typeof value !== 'string' || value.trim() === '') {
      throw new AppError(
        ErrorCode.ExpressionFailed,
        `schedule '${schedule.name}' of '${definition.key}': ${what} must be a non-empty text, but it is ${JSON.stringify(value) ?? 'nothing'}`,
        { schedule: schedule.name },
      );
    }
    return value;
  };
  if (schedule.start) {
    return { kind: 'start', businessKey: key(schedule.start.businessKey, 'businessKey'), context: evaluateMap(schedule.start.context, scope) };
  }
  if (schedule.send) {
    return { kind: 'send', event: schedule.send.event, to: key(schedule.send.to, "'to'"), payload: evaluateMap(schedule.send.payload, scope) };
  }
  throw new AppError(ErrorCode.Internal, `schedule '${schedule.name}' has neither start nor send`);
}

function evaluateValue(spec: ValueSpec, scope: ExpressionScope): unknown {
  return spec.kind === 'literal' ? spec.value : spec.expression.evaluate(scope);
}

function evaluateMap(specs: Readonly<Record<string, ValueSpec>>, scope: ExpressionScope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = evaluateValue(spec, scope);
  return jsonCopy(out);
}
