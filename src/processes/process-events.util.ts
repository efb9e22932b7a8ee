/**
 * What a definition says an application service may do now, so a service never repeats the
 * YAML's state names: whether an instance's current state accepts an event (the compiled
 * machine's `acceptedEvents`, the same rule as `GET /instances/:id/events/available`), who may
 * trigger it, and the titles the YAML gives states and roles, for messages people can act on.
 * Rename a state in the YAML and the services follow.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor, ProcessMachine } from '../compiler/process-machine.contract';
import { notAcceptedText, notYourRoleText } from '../compiler/refusal-text';
import type { EventDefinition } from '../definitions/definition.types';

/** The event when the current state (or an ancestor) accepts it now; undefined otherwise. */
export function acceptedNow({ machine, state, type }: { machine: ProcessMachine; state: string; type: string }): EventDefinition | undefined {
  return machine.acceptedEvents(state).find((a) => a.event.type === type)?.event;
}

/** The state's title from the YAML (its name when it has none). */
export function stateTitle({ machine, state }: { machine: ProcessMachine; state: string }): string {
  return machine.definition.states[state]?.title ?? state;
}

/** The roles' titles from the YAML (a role's name when it has none), joined for a message. */
export function roleTitles({ machine, roles }: { machine: ProcessMachine; roles: readonly string[] }): string {
  return roles.map((r) => machine.definition.roles[r]?.title ?? r).join('、');
}

/** Every declaration of the event, in YAML order, with the state that declares it. */
function declarations(machine: ProcessMachine, type: string): { state: string; event: EventDefinition }[] {
  return Object.values(machine.definition.states).flatMap((s) => (s.on[type] ? [{ state: s.name, event: s.on[type] }] : []));
}

/**
 * Refuses (Forbidden) unless the actor holds a role that may trigger the event in some state
 * of the definition: checked before the state, so a person without the role is told so
 * whatever state the instance is in.
 */
export function requireMayTrigger({ machine, actor, type, what }: { machine: ProcessMachine; actor: Actor; type: string; what: string }): void {
  const roles = [...new Set(declarations(machine, type).flatMap((d) => d.event.roles))];
  if (actor.roles.some((r) => roles.includes(r))) return;
  const event = declarations(machine, type)[0]?.event;
  throw new AppError(
    ErrorCode.Forbidden,
    `${what} needs one of the roles ${roles.join(', ') || '(none declared)'} (event '${type}' of ${machine.definition.key}); you have ${actor.roles.join(', ') || 'none'}`,
    undefined,
    event ? { userMessage: notYourRoleText({ def: machine.definition, event: { ...event, roles } }) } : {},
  );
}

/**
 * The event as the instance's current state accepts it, or a refusal (EventNotAccepted) naming
 * the states that accept it and the one the instance is in, by their titles, with `hint`.
 */
export function requireAcceptedNow({
  machine,
  state,
  label,
  type,
  what,
  hint = '',
  userHint = '',
}: {
  machine: ProcessMachine;
  /** The instance's current state. */
  state: string;
  /** How the message names the instance, e.g. `round SR-翠湖花园一期-2026-03-稳定期`. */
  label: string;
  type: string;
  what: string;
  hint?: string;
  /** `hint` for people (Chinese); the message for people names the states by their titles either way. */
  userHint?: string;
}): EventDefinition {
  const event = acceptedNow({ machine, state, type });
  if (event) return event;
  const where = [...new Set(declarations(machine, type).map((d) => `'${stateTitle({ machine, state: d.state })}'`))].join(' or ');
  throw new AppError(
    ErrorCode.EventNotAccepted,
    `${what} is possible only while ${label} is in ${where || '(no state)'}; it is in '${stateTitle({ machine, state })}'${hint ? `: ${hint}` : ''}`,
    { state, event: type },
    { userMessage: notAcceptedText({ def: machine.definition, state, type, hint: userHint, accepted: machine.acceptedEvents(state).map((a) => a.event) }) },
  );
}
