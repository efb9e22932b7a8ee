/**
 * The compute step of a transition: the event's `compute:` domain functions run before the
 * machine sees the event, and their results become payload fields. One function for the
 * engine's write path (`TransitionService.send`) and for `wf simulate`, so a scenario and the
 * service put the same values into the payload, the audit entry and the context.
 *
 * Pure apart from what it is given: the domain functions read stored instances only through
 * `store` (the service's tables, or the scenario's instances in memory).
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor, ProcessMachine } from '../compiler/process-machine.contract';
import type { ExpressionScope } from '../definitions/definition.types';
import type { DomainFunctionInput, DomainFunctionRegistry, DomainStore } from './domain-functions';
import type { BusinessCalendar } from '../calendar/business-calendar';

export interface ComputePayloadInput {
  readonly machine: ProcessMachine;
  /** The instance's current (leaf) state, as stored before the event. */
  readonly state: string;
  /** The instance as the domain functions see it (context as stored before the event). */
  readonly instance: DomainFunctionInput['instance'];
  readonly type: string;
  /** The payload as the sender gave it. */
  readonly payload: Record<string, unknown>;
  readonly actor: Actor;
  readonly now: Date;
  readonly functions: Pick<DomainFunctionRegistry, 'get'>;
  readonly calendar: BusinessCalendar;
  readonly store: DomainStore;
  /** Another process's emit: its definition key, checked against `from:` instead of roles. */
  readonly sender?: string;
}

/**
 * Runs the event's `compute:` domain functions (when the actor may send it at all) and puts
 * each result, as plain JSON, into the payload, overwriting whatever the sender put under that
 * name. Returns the payload unchanged when the event is not accepted in `state` or the actor
 * may not send it: the machine then refuses it with the right error.
 */
export async function computePayload(input: ComputePayloadInput): Promise<Record<string, unknown>> {
  const { machine, instance, type, payload, actor, now } = input;
  const accepted = machine.acceptedEvents(input.state).find((a) => a.event.type === type)?.event;
  const permitted = input.sender !== undefined ? accepted?.from.includes(input.sender) : accepted?.roles.some((r) => actor.roles.includes(r));
  if (!accepted || accepted.compute.length === 0 || !permitted) return payload;
  const scope: ExpressionScope = { context: instance.context, payload, rules: machine.definition.ruleValues, actor, now: now.toISOString() };
  const out = { ...payload };
  for (const c of accepted.compute) {
    const fn = input.functions.get(c.function);
    // The loader checks names against this build's functions; a stored version can outlive one.
    if (!fn)
      throw new AppError(
        ErrorCode.Internal,
        `'${type}' computes '${c.field}' with the domain function '${c.function}', which this engine build does not have: deploy a build that has it`,
      );
    const args = Object.fromEntries(Object.entries(c.args).map(([k, v]) => [k, v.kind === 'literal' ? v.value : v.expression.evaluate(scope)]));
    const result = await fn({
      instance: { id: instance.id, definition: instance.definition, businessKey: instance.businessKey, context: instance.context },
      args,
      now,
      calendar: input.calendar,
      store: input.store,
    });
    out[c.field] = JSON.parse(JSON.stringify(result ?? null));
  }
  return out;
}
