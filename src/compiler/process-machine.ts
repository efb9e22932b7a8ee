/**
 * Compile: `ProcessDefinition` → an XState v5 machine, wrapped in the `ProcessMachine` contract.
 *
 * Pure: the machine is built once; each call restores a snapshot from (state, context) with
 * `machine.resolveState`, and computes the next one with XState's `transition()`, which returns
 * the actions as data instead of running them. Our actions (`render`, `notify`, ...) are named
 * actions whose params XState resolves (evaluating our expressions), so they come back as
 * `Effect`s for the engine to run after commit. Expressions see `now` from the event, never the
 * wall clock, so the same inputs always give the same outputs.
 */
import { assign, initialTransition, setup, transition } from 'xstate';
import { AppError, ErrorCode } from '../common/app-error';
import type {
  ActionDefinition,
  Assignment,
  BranchDefinition,
  Effect,
  EventDefinition,
  ExpressionScope,
  ProcessDefinition,
  StateDefinition,
  ValueSpec,
} from '../definitions/definition.types';
import { accepts, missingAcceptance } from '../definitions/definition-acceptance';
import { OPINION_FIELD } from '../definitions/definition.types';
import { jsonCopy } from '../definitions/json-schema.util';
import type { AcceptedEvent, Actor, IncomingEvent, ProcessMachine, StepResult } from './process-machine.contract';
import {
  contextInvalidText,
  noConditionText,
  notAcceptedText,
  notYourRoleText,
  onlyThroughServiceText,
  opinionRequiredText,
  payloadInvalidText,
} from './refusal-text';

/** The event as XState sees it. */
interface MachineEvent {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly actor: Actor;
  readonly now: string;
  readonly startedBy?: string;
}

interface MachineInput {
  readonly context: Record<string, unknown>;
  readonly actor: Actor;
  readonly now: string;
}

/** Params of every effect action, as XState resolves them. */
interface EffectParams {
  readonly state: string;
  readonly params: Record<string, unknown>;
}

type Context = Record<string, unknown>;

/** The part of an XState snapshot we read. */
interface SnapshotView {
  readonly value: unknown;
  readonly status: string;
}

const EFFECT_KINDS = ['render', 'post', 'notify', 'cc', 'email', 'emit', 'start', 'apply'] as const;

/** Builds the machine once for a definition; cache the result per definition version. */
export function createProcessMachine(definition: ProcessDefinition): ProcessMachine {
  const def = definition;

  const scopeOf = (context: Context, event: { type: string; payload?: unknown; actor?: Actor; now?: string; input?: MachineInput }): ExpressionScope => {
    const init = event.type === 'xstate.init' && event.input;
    const source = init ? event.input! : (event as MachineEvent);
    const actor = source.actor ?? { id: 'unknown', roles: [] };
    // At creation the starter is the actor; afterwards the engine hands over the stored one.
    const startedBy = init ? actor.id : (event as MachineEvent).startedBy;
    return {
      context,
      payload: (event.type === 'xstate.init' ? {} : ((event as MachineEvent).payload ?? {})) as Record<string, unknown>,
      rules: def.ruleValues,
      actor,
      now: source.now ?? new Date(0).toISOString(),
      ...(startedBy !== undefined ? { instance: { startedBy } } : {}),
    };
  };

  const evaluateValue = (spec: ValueSpec, scope: ExpressionScope): unknown => (spec.kind === 'literal' ? spec.value : spec.expression.evaluate(scope));

  const effectAction = (action: ActionDefinition, state: string) => ({
    type: action.kind,
    params: ({ context, event }: { context: Context; event: MachineEvent }): EffectParams => {
      const scope = scopeOf(context, event);
      const params: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(action.params)) params[name] = evaluateValue(spec, scope);
      // Plain JSON: the engine stores effects in the outbox and the audit trail as they are.
      return { state, params: jsonCopy(params) };
    },
  });

  const assignAction = (assignments: readonly Assignment[]) =>
    assign(({ context, event }: { context: Context; event: MachineEvent }) => {
      const scope = scopeOf(context, event);
      // Every value is computed from the context as it was before this transition.
      const values = assignments.map((a) => [a.path, evaluateValue(a.value, scope)] as const);
      const next = jsonCopy(context) as Context;
      for (const [path, value] of values) setPath(next, path, value);
      return next;
    });

  const branchConfig = (branch: BranchDefinition, state: string) => ({
    ...(branch.target ? { target: `#${branch.target}` } : {}),
    ...(branch.when
      ? {
          guard: ({ context, event }: { context: Context; event: MachineEvent }) => branch.when?.evaluate(scopeOf(context, event)) === true,
        }
      : {}),
    actions: [...(branch.assign.length > 0 ? [assignAction(branch.assign)] : []), ...branch.actions.map((a) => effectAction(a, state))],
  });

  const stateConfig = (state: StateDefinition): Record<string, unknown> => ({
    id: state.name,
    ...(state.kind === 'final' ? { type: 'final' } : {}),
    ...(state.kind === 'compound'
      ? {
          initial: state.initial,
          states: Object.fromEntries(state.children.map((c) => [c, stateConfig(def.states[c])])),
        }
      : {}),
    entry: state.entry.map((a) => effectAction(a, state.name)),
    exit: state.exit.map((a) => effectAction(a, state.name)),
    on: Object.fromEntries(Object.entries(state.on).map(([type, event]) => [type, event.branches.map((b) => branchConfig(b, state.name))])),
  });

  const noop = () => undefined;
  const machine = setup({
    types: {} as { context: Context; events: MachineEvent; input: MachineInput },
    actions: Object.fromEntries(EFFECT_KINDS.map((k) => [k, noop])) as Record<(typeof EFFECT_KINDS)[number], () => void>,
  }).createMachine({
    id: def.key,
    context: ({ input }) => jsonCopy(input.context) as Context,
    initial: def.initial,
    // The configuration is generated from the definition, so XState's literal types cannot follow it.
    states: Object.fromEntries(def.topStates.map((s) => [s, stateConfig(def.states[s])])) as never,
  });

  const stateOrThrow = (name: string): StateDefinition => {
    const state = def.states[name];
    if (!state) {
      throw new AppError(ErrorCode.Internal, `the state '${name}' does not exist in '${def.key}' (states: ${Object.keys(def.states).join(', ')})`);
    }
    return state;
  };

  /** `['handling', 'waiting']` → `{ handling: 'waiting' }` (XState's state value). */
  const stateValue = (path: readonly string[]): string | Record<string, unknown> => (path.length === 1 ? path[0] : { [path[0]]: stateValue(path.slice(1)) });

  const leafOf = (snapshot: SnapshotView): string[] => {
    const path: string[] = [];
    let value: unknown = snapshot.value;
    while (typeof value === 'object' && value !== null) {
      const [key, inner] = Object.entries(value)[0];
      path.push(key);
      value = inner;
    }
    path.push(value as string);
    return path;
  };

  const toResult = (snapshot: SnapshotView, actions: readonly { type: string; params?: unknown }[], context: Context): StepResult => {
    const statePath = leafOf(snapshot);
    return {
      state: statePath[statePath.length - 1],
      statePath,
      context,
      done: snapshot.status === 'done',
      effects: actions
        .filter((a) => (EFFECT_KINDS as readonly string[]).includes(a.type))
        .map((a): Effect => {
          const p = a.params as EffectParams;
          return { kind: a.type, params: p.params, state: p.state };
        }),
    };
  };

  const acceptedEvents = (state: string): readonly AcceptedEvent[] => {
    const seen = new Set<string>();
    const out: AcceptedEvent[] = [];
    for (let s: StateDefinition | undefined = stateOrThrow(state); s; s = s.parent ? def.states[s.parent] : undefined) {
      for (const event of Object.values(s.on)) {
        if (seen.has(event.type)) continue;
        seen.add(event.type);
        out.push({ state: s.name, event });
      }
    }
    return out;
  };

  return {
    definition: def,

    start(context: Record<string, unknown>, actor: Actor, now: string): StepResult {
      const [snapshot, actions] = initialTransition(machine, { context, actor, now });
      return toResult(snapshot, actions, snapshot.context as Context);
    },

    send(state: string, context: Record<string, unknown>, event: IncomingEvent): StepResult {
      if (event.sender !== undefined && !accepts(def, { kind: 'emit', event: event.type }, event.sender)) {
        throw new AppError(ErrorCode.Forbidden, missingAcceptance(def, { kind: 'emit', event: event.type }, event.sender), {
          event: event.type,
          sender: event.sender,
        });
      }
      const accepted = acceptedEvents(state);
      const found = accepted.find((a) => a.event.type === event.type);
      if (!found) {
        throw new AppError(
          ErrorCode.EventNotAccepted,
          accepted.length === 0
            ? `'${event.type}' is not accepted: the instance is in '${state}', which accepts no events`
            : `'${event.type}' is not accepted in '${state}'; accepted now: ${accepted.map((a) => a.event.type).join(', ')}`,
          { state, event: event.type, accepted: accepted.map((a) => a.event.type) },
          { userMessage: notAcceptedText({ def, state, type: event.type, accepted: accepted.map((a) => a.event) }) },
        );
      }
      checkVia(def, found.event, event);
      if (event.sender !== undefined) checkFrom(found.event, event.sender, state, def.key);
      else checkRoles(def, found.event, event.actor, state);
      checkNotBy(found.event, event);
      const payload = event.payload ?? {};
      checkOpinion(def, found.event, payload);
      const payloadErrors = found.event.validatePayload(payload);
      if (payloadErrors.length > 0) {
        throw new AppError(
          ErrorCode.PayloadInvalid,
          `the data sent with '${event.type}' is not valid: ${payloadErrors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
          { errors: payloadErrors },
          { userMessage: payloadInvalidText({ def, event: found.event, errors: payloadErrors }) },
        );
      }
      const machineEvent: MachineEvent = {
        type: event.type,
        payload,
        actor: event.actor,
        now: event.now,
        ...(event.startedBy !== undefined ? { startedBy: event.startedBy } : {}),
      };
      // Which branch applies is decided here too (the guards are pure), so that "no branch
      // matched" can be told apart from "a branch matched and changed nothing".
      const scope: ExpressionScope = {
        context,
        payload,
        rules: def.ruleValues,
        actor: event.actor,
        now: event.now,
        ...(event.startedBy !== undefined ? { instance: { startedBy: event.startedBy } } : {}),
      };
      const taken = found.event.branches.find((b) => !b.when || b.when.evaluate(scope) === true);
      if (taken?.reject) {
        const reason = String(taken.reject.kind === 'literal' ? taken.reject.value : taken.reject.expression.evaluate(scope));
        // The reason is the process owner's own text (Chinese): it is also what the person is shown.
        throw new AppError(ErrorCode.GuardRejected, `'${event.type}' was refused: ${reason}`, { state, event: event.type, reason }, { userMessage: reason });
      }
      if (!taken) {
        throw new AppError(
          ErrorCode.GuardRejected,
          `'${event.type}' was refused in '${state}': none of its conditions holds (${found.event.branches.map((b) => `\`${b.when?.source}\``).join(', ')})`,
          { state, event: event.type, conditions: found.event.branches.map((b) => b.when?.source ?? null) },
          { userMessage: noConditionText({ def, event: found.event }) },
        );
      }

      const restored = machine.resolveState({ value: stateValue(stateOrThrow(state).path) as never, context: jsonCopy(context) });
      const [snapshot, actions] = transition(machine, restored, machineEvent);
      const checked = def.validateContext(snapshot.context);
      if (checked.errors.length > 0) {
        throw new AppError(
          ErrorCode.ContextInvalid,
          `after '${event.type}' the instance data would not be valid: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
          { errors: checked.errors },
          { userMessage: contextInvalidText({ def, errors: checked.errors }) },
        );
      }
      return toResult(snapshot, actions, checked.value);
    },

    acceptedEvents,
  };
}

/** An event declared `via: service` comes only from the process's application service. */
function checkVia(def: ProcessDefinition, event: EventDefinition, incoming: IncomingEvent): void {
  if (event.via !== 'service' || incoming.viaService === true) return;
  const definition = def.key;
  const name = event.title ? `'${event.type}' (${event.title})` : `'${event.type}'`;
  throw new AppError(
    ErrorCode.Forbidden,
    `${name} can only be sent through the application service of '${definition}', which records its data in the same step` +
      `${event.api ? `: use ${event.api}` : ''}; it cannot be sent as a plain event (POST /instances/:id/events)`,
    { event: event.type, via: 'service', ...(event.api ? { api: event.api } : {}) },
    { userMessage: onlyThroughServiceText({ def, event }) },
  );
}

/** The refusal of `notBy`, for people. */
export const SELF_DECISION_REFUSAL = '不能审批本人提交的申请';

/** `notBy:` the one who sent one of the named events last may not send this one. */
/** `opinion: required`: a decision is refused without a written opinion (审批意见) that is more than spaces. */
function checkOpinion(def: ProcessDefinition, event: EventDefinition, payload: unknown): void {
  if (event.opinion !== 'required') return;
  const value = payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[OPINION_FIELD] : undefined;
  if (typeof value === 'string' && value.trim() !== '') return;
  const message = 'a written opinion is required';
  throw new AppError(
    ErrorCode.PayloadInvalid,
    `the data sent with '${event.type}' is not valid: $.${OPINION_FIELD} ${message} (opinion: required)`,
    { errors: [{ path: `$.${OPINION_FIELD}`, message }] },
    { userMessage: opinionRequiredText(def, event) },
  );
}

function checkNotBy(event: EventDefinition, incoming: IncomingEvent): void {
  const asked = (event.notBy ?? []).find((e) => incoming.lastSenders?.[e] === incoming.actor.id);
  if (asked === undefined) return;
  throw new AppError(
    ErrorCode.GuardRejected,
    `'${event.type}' was refused: ${SELF_DECISION_REFUSAL}`,
    { event: event.type, notBy: asked },
    { userMessage: SELF_DECISION_REFUSAL },
  );
}

function checkRoles(def: ProcessDefinition, event: EventDefinition, actor: Actor, state: string): void {
  if (event.roles.some((r) => actor.roles.includes(r))) return;
  throw new AppError(
    ErrorCode.Forbidden,
    event.roles.length === 0
      ? `nobody may send '${event.type}' in '${state}'`
      : `'${event.type}' may only be sent by ${event.roles.join(', ')}; ${actor.id} has ${actor.roles.length ? actor.roles.join(', ') : 'no role'}`,
    { event: event.type, roles: event.roles },
    { userMessage: notYourRoleText({ def, event }) },
  );
}

/** Another process's emit: the state that accepts the event must list the sender under `from`. */
function checkFrom(event: EventDefinition, sender: string, state: string, definition: string): void {
  if (event.from.includes(sender)) return;
  throw new AppError(
    ErrorCode.Forbidden,
    `'${definition}' accepts '${event.type}' in '${state}' only from ${event.from.length ? event.from.join(', ') : 'no process'}, not from '${sender}'`,
    { event: event.type, sender, from: event.from },
  );
}

/** Sets `a.b.c` in a plain object, creating the intermediate maps. */
function setPath(target: Context, path: string, value: unknown): void {
  const segments = path.split('.');
  let current: Context = target;
  for (const segment of segments.slice(0, -1)) {
    const next = current[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) current[segment] = {};
    current = current[segment] as Context;
  }
  current[segments[segments.length - 1]] = value;
}
