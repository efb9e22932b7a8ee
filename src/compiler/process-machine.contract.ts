/**
 * The contract between the pure compiler and the engine. The engine holds one
 * `ProcessMachine` per definition version (built once, cached by source hash) and calls it
 * for every transition; the compiler never touches a database, a clock or the network.
 */
import type { EventDefinition, Effect, ProcessDefinition } from '../definitions/definition.types';

export interface Actor {
  readonly id: string;
  readonly roles: readonly string[];
  /** Facts about the user a process may check, e.g. `{ department: '工程部' }` (read as `actor.department`). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** The person's display name (`users.display_name`), read as `actor.name` (the id when the user has none). */
  readonly name?: string;
}

/** What the engine hands in: the event plus who sent it and when (from the engine's clock). */
export interface IncomingEvent {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly actor: Actor;
  /** Who started the instance (`instances.created_by`), for `instance.startedBy`. */
  readonly startedBy?: string;
  /**
   * Who last sent each event an accepted event names under `notBy` (`$start`: who created the
   * case), read by the engine from the trail; an event whose `notBy` names the actor is refused.
   */
  readonly lastSenders?: Readonly<Record<string, string>>;
  /** ISO-8601. */
  readonly now: string;
  /**
   * Set by the engine only when the process's application service sends the event in-process
   * (`TransitionOptions.viaService`); events declared `via: service` are refused without it.
   */
  readonly viaService?: boolean;
  /**
   * Set by the engine only when another process's `emit` delivers the event: that process's
   * definition key. The event is then checked against `from:` (this definition must accept it
   * from that key, in some state and in the current one) instead of `roles`.
   */
  readonly sender?: string;
}

export interface StepResult {
  /** Name of the active leaf state (state names are unique, so this identifies the configuration). */
  readonly state: string;
  /** State names from the top level down to `state`. */
  readonly statePath: readonly string[];
  readonly context: Record<string, unknown>;
  /** True once a top-level final state is reached. */
  readonly done: boolean;
  /** Effects declared by the transition, exit and entry actions, in XState's order, params evaluated. */
  readonly effects: readonly Effect[];
}

/** An event the instance accepts now, found innermost state first; one per event type. */
export interface AcceptedEvent {
  readonly state: string;
  readonly event: EventDefinition;
}

export interface ProcessMachine {
  readonly definition: ProcessDefinition;
  /** Initial snapshot for a new instance (context already validated and defaulted by the engine). */
  start(context: Record<string, unknown>, actor: Actor, now: string): StepResult;
  /**
   * Next snapshot for `event` sent while the instance is in `state` with `context`.
   * Checks, in this order, throwing AppError:
   * Forbidden (sent by another process, `sender`, that no state of this definition accepts it
   * from; the message names what `from:` would have to list) → EventNotAccepted (not accepted in
   * this state or its ancestors; the message lists the events accepted now) → Forbidden
   * (declared `via: service` and not sent by the service; the message names the API to use) →
   * Forbidden (none of the actor's roles may send it, or, for a `sender`, this state's `from:`
   * does not list it; the message names who may) → PayloadInvalid (`details.errors: [{ path: '$.a.b', message }]`) →
   * GuardRejected (no branch matched; the message lists the conditions) → ExpressionFailed (an
   * expression failed at run time) → ContextInvalid (the resulting context breaks the context
   * schema; `details.errors` with paths). The returned context has the schema's defaults filled.
   * The engine only decides whether the actor may act on this instance at all.
   */
  send(state: string, context: Record<string, unknown>, event: IncomingEvent): StepResult;
  /** Events accepted in `state`, innermost declaring state first, one per type. */
  acceptedEvents(state: string): readonly AcceptedEvent[];
}
