/**
 * The typed, immutable form of a YAML process definition, as produced by the loader
 * (`definition-loader.ts`) and consumed by the compiler and the engine.
 *
 * Everything here is plain data plus pre-compiled functions (expressions, payload validators),
 * deep-frozen by the loader. Nothing here imports Nest or TypeORM.
 */
import type { DeadlineSpec, RecurringSpec } from '../calendar/deadline-spec';

/** A JSON Schema object as written in the YAML (draft 2020-12 subset accepted by ajv). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Where something was written: used in every error and lint finding. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number; // 1-based
  readonly column: number; // 1-based
  /** Dotted path into the YAML document, e.g. `states.open.on.classify.target`. */
  readonly path: string;
}

/** One problem found while loading a definition: always an error, the load is refused whole. */
export interface DefinitionProblem extends SourcePosition {
  readonly message: string;
}

/**
 * `target-not-uploaded` and `acceptance-removed` come from the registry on upload (another
 * process's acceptance of this one's `emit`/`start`, and the reverse), the others from lint.
 */
export type LintRule = 'unreachable-state' | 'dead-end-state' | 'unsendable-event' | 'target-not-uploaded' | 'acceptance-removed';

/** A warning from the lint pass: the definition still loads. */
export interface LintFinding extends SourcePosition {
  readonly rule: LintRule;
  readonly message: string;
}

/** The variables every expression may read. Numbers in JSON arrive as numbers. */
export interface ExpressionScope {
  readonly context: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly rules: Readonly<Record<string, unknown>>;
  readonly actor: { readonly id: string; readonly roles: readonly string[]; readonly attributes?: Readonly<Record<string, string>>; readonly name?: string };
  /** ISO-8601 time of the event, from the engine's clock (never the wall clock inside the compiler). */
  readonly now: string;
  /** What the engine recorded about the case (`instance.startedBy`); absent where no case exists yet (schedules). */
  readonly instance?: { readonly startedBy: string };
}

/** An expression parsed once at load time; evaluating it is pure and sandboxed. */
export interface CompiledExpression {
  readonly source: string;
  readonly position: SourcePosition;
  /** Returns a JSON-compatible value (integers as numbers, timestamps as ISO strings). */
  evaluate(scope: ExpressionScope): unknown;
}

/** A value in an action's parameters: either a literal from the YAML or an expression. */
export type ValueSpec = { readonly kind: 'literal'; readonly value: unknown } | { readonly kind: 'expression'; readonly expression: CompiledExpression };

/** A named effect of a transition, returned as data by the compiler and run by the engine after commit. */
export interface ActionDefinition {
  /** `render`, `post`, `notify`, `email`, `emit`, `start` (see definitions/README.md). */
  readonly kind: string;
  /** Parameters; their values are evaluated at transition time into `Effect.params`. */
  readonly params: Readonly<Record<string, ValueSpec>>;
  readonly position: SourcePosition;
}

/** One `context.path = expression` assignment. `path` is dotted, relative to the context. */
export interface Assignment {
  readonly path: string;
  readonly value: ValueSpec;
}

/** One guarded branch of an event: the first whose `when` holds is taken. */
export interface BranchDefinition {
  readonly when?: CompiledExpression;
  /**
   * When this branch is the one taken, the event is refused with this message (a literal or an
   * `=` expression) and nothing changes: a business rule stated in the process owner's words.
   */
  readonly reject?: ValueSpec;
  /** Name of the target state; absent means stay in the current state (assign/actions only). */
  readonly target?: string;
  readonly assign: readonly Assignment[];
  readonly actions: readonly ActionDefinition[];
  readonly position: SourcePosition;
}

export interface PayloadValidationError {
  /** JSON path into the payload, e.g. `$.contact.phone`. */
  readonly path: string;
  readonly message: string;
}

/**
 * A named domain calculation the engine runs before the event is applied; its result is put
 * into the payload under `field` (overwriting anything the sender put there), so guards,
 * assignments and the audit entry all see it.
 */
export interface ComputeDefinition {
  readonly field: string;
  /** Name in the domain function registry, e.g. `complaint.monthlyReport`. */
  readonly function: string;
  /** Arguments (literals or expressions over context, payload, rules, actor, now). */
  readonly args: Readonly<Record<string, ValueSpec>>;
  readonly position: SourcePosition;
}

export interface EventDefinition {
  readonly type: string;
  /** Domain calculations run by the engine before the transition (see ComputeDefinition). */
  readonly compute: readonly ComputeDefinition[];
  readonly title?: string;
  /** Roles allowed to send this event in this state. `system` is the engine's own actor (deadlines, schedules). */
  readonly roles: readonly string[];
  /**
   * Processes (definition keys) whose `emit` may send this event in this state; another
   * process is never `system`. Empty: no other process may.
   */
  readonly from: readonly string[];
  /**
   * `service`: only the process's application service sends it (in-process, with the rows it
   * writes in the same transaction), on behalf of a user holding one of `roles`; a plain send
   * (`POST /instances/:id/events`, another process's `emit`) is refused.
   */
  readonly via?: 'service';
  /** With `via: service`: the API people use instead, named in the refusal of a plain send. */
  readonly api?: string;
  /**
   * `notBy:` the events (`$start` for the creation of the case) whose latest sender may not
   * send this one: the one who asked may not decide. Checked by the engine against the trail.
   */
  readonly notBy?: readonly string[];
  /**
   * `opinion:` a decision's written opinion (审批意见), in the payload field `opinion`
   * (OPINION_FIELD): `required` refuses the event without a non-empty one; `optional` offers it.
   * The payload schema already includes the field.
   */
  readonly opinion?: 'required' | 'optional';
  readonly payloadSchema: JsonSchema;
  /** Compiled at load time with ajv. Returns [] when the payload is valid. */
  validatePayload(payload: unknown): readonly PayloadValidationError[];
  readonly branches: readonly BranchDefinition[];
  readonly position: SourcePosition;
}

export type StateKind = 'atomic' | 'compound' | 'final';

export interface StateDefinition {
  /** Unique across the whole definition, so a target is just a name. */
  readonly name: string;
  readonly title?: string;
  readonly kind: StateKind;
  /** Names from the top level down to this state, e.g. ['handling', 'waitingReply']. */
  readonly path: readonly string[];
  readonly parent?: string;
  /** For compound states: the child entered first. */
  readonly initial?: string;
  /** Child state names, in YAML order. */
  readonly children: readonly string[];
  /** Events accepted while this state (or a descendant) is active. */
  readonly on: Readonly<Record<string, EventDefinition>>;
  /** Effects run when the state is entered / left. */
  readonly entry: readonly ActionDefinition[];
  readonly exit: readonly ActionDefinition[];
  /** Deadlines armed when this state is entered and cancelled when it is left. */
  readonly deadlines: readonly DeadlineDefinition[];
  /** `assignment:` of the state (else the definition's applies). */
  readonly assignment?: AssignmentDefinition;
  readonly position: SourcePosition;
}

/**
 * `assignment:` (on a state, or on the definition as every state's default): the roles that may
 * reassign the step to anyone who may act on it, whoever holds it. Anyone holding a role of the
 * step's events may claim it, release it and transfer it to a named colleague.
 */
export interface AssignmentDefinition {
  readonly reassignBy: readonly string[];
  /** 催办: at most one reminder per case per person within this many hours (default 4). */
  readonly remindEveryHours?: number;
}

/**
 * A state deadline: `after: 3 working days` / `at: end of day` / `after: rules.x` /
 * `at: context.x`, sending `event` to the instance as the actor `system` when it falls due.
 * The engine arms one timer per deadline of each state entered (see `compiler/deadlines.ts`).
 */
export interface DeadlineDefinition {
  /** `${state}#${index}`: unique in the definition, stable while the YAML keeps its order. */
  readonly name: string;
  /** Never recurring (checked at load); rule references were checked to resolve to a duration. */
  readonly spec: DeadlineSpec;
  /** The event sent; accepted by the state (or an ancestor) with `system` among its roles. */
  readonly event: string;
  /** Evaluated when the deadline is armed (scope: the context then, payload {}, actor system). */
  readonly payload: Readonly<Record<string, ValueSpec>>;
  /** `suspend:`: the deadline stands still while the case is in one of `in`, and resumes on return. */
  readonly suspend?: DeadlineSuspension;
  readonly position: SourcePosition;
}

/** How a resumed deadline runs again: the time that was left, or its whole period afresh. */
export type ResumeMode = 'remaining' | 'full';
export const RESUME_MODES: readonly ResumeMode[] = ['remaining', 'full'];

/**
 * A deadline that a holding state suspends instead of cancelling (e.g. a collection period
 * during a pause). Leaving its state for one of `in` keeps the timer as `suspended` with the
 * moment it stopped; coming back from there re-arms it with the remaining time or the full
 * period (`resume`, literal or a rule the process owner tunes).
 */
export interface DeadlineSuspension {
  readonly in: readonly string[];
  readonly resume: { readonly kind: 'mode'; readonly mode: ResumeMode } | { readonly kind: 'rule'; readonly name: string };
}

/** A top-level recurring schedule: starts an instance of this definition or sends it an event. */
export interface ScheduleDefinition {
  readonly name: string;
  readonly title?: string;
  readonly spec: RecurringSpec;
  /**
   * `forEach:`: a list (of maps) evaluated at each run; the schedule starts or sends once per
   * element, which its expressions read as `payload` (e.g. one survey round per project).
   */
  readonly forEach?: ValueSpec;
  /** Start an instance of this definition (`start.roles` includes `system`). */
  readonly start?: {
    readonly businessKey: ValueSpec;
    readonly context: Readonly<Record<string, ValueSpec>>;
  };
  /** Send an event (accepted with `system` among its roles) to the instance with business key `to`. */
  readonly send?: {
    readonly event: string;
    readonly to: ValueSpec;
    readonly payload: Readonly<Record<string, ValueSpec>>;
  };
  readonly position: SourcePosition;
}

export interface RoleDefinition {
  readonly name: string;
  readonly title?: string;
}

export interface RuleDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  /** The value a process owner tunes: number, string, boolean, list or map. */
  readonly value: unknown;
}

/**
 * Who reads a case (`read:`). Absent: every declared role reads every case (`own` empty, `all`
 * every role). `own` roles read only the cases they started (`instances.created_by`) or whose
 * context field `ownerField` holds their user id.
 */
export interface ReadDefinition {
  readonly own: readonly string[];
  readonly all: readonly string[];
  readonly ownerField?: string;
}

/**
 * Personal data (`personal:`): context fields and, per event, payload fields that hold a
 * person's name or contact. Readers without a `clearFor` role see them masked (王*, 138****0001)
 * everywhere the case is read; stored rows keep the clear value (the audit chain is unchanged).
 */
export interface PersonalDataDefinition {
  readonly fields: readonly string[];
  readonly payload: Readonly<Record<string, readonly string[]>>;
  readonly clearFor: readonly string[];
  /**
   * Also in clear for a reader (holding a role of the process) for whom this holds, e.g.
   * `actor.department == context.department`: the department handling the complaint. Evaluated
   * with the case's stored context, `payload` {}, the rules, the reader as `actor` and `now`.
   */
  readonly clearWhen?: CompiledExpression;
}

export interface ProcessDefinition {
  readonly key: string;
  readonly title: string;
  readonly description?: string;
  /**
   * The one-line summary of a case for cards and lists, `{field}` placeholders naming context
   * fields (checked at load), e.g. `'{unit} {content} — {department}'`.
   */
  readonly summary?: string;
  readonly roles: Readonly<Record<string, RoleDefinition>>;
  readonly rules: Readonly<Record<string, RuleDefinition>>;
  /** Values of the rules, by name: what expressions see as `rules`. */
  readonly ruleValues: Readonly<Record<string, unknown>>;
  readonly contextSchema: JsonSchema;
  /** Validates (and fills defaults into a copy of) a context. Returns the errors and the filled context. */
  validateContext(context: unknown): { readonly errors: readonly PayloadValidationError[]; readonly value: Record<string, unknown> };
  /** Roles allowed to start an instance. */
  readonly startRoles: readonly string[];
  /** Processes (definition keys) whose `start` action may start an instance (`start.from`). */
  readonly startFrom: readonly string[];
  /**
   * Context fields (top-level, one scalar value each) other cases find this case by, exactly
   * (`emit … where:`); stored in an indexed table with each write of the instance.
   */
  readonly correlation: readonly string[];
  /** Who reads which cases (see `ReadDefinition`). */
  readonly read: ReadDefinition;
  /** Personal fields and who sees them in clear (see `PersonalDataDefinition`). */
  readonly personal: PersonalDataDefinition;
  /** `assignment:` at the top level: the default of the states that have none. */
  readonly assignment?: AssignmentDefinition;
  /** `dueSoon:` — working days left at or under which a deadline badge is yellow (the pages' default: 1). */
  readonly dueSoonWorkingDays?: number;
  /** Name of the top-level initial state. */
  readonly initial: string;
  /** Top-level state names, in YAML order. */
  readonly topStates: readonly string[];
  /** Every state, by its unique name. */
  readonly states: Readonly<Record<string, StateDefinition>>;
  /**
   * Recurring schedules, in YAML order. Their expressions are evaluated with
   * `{ context: {}, payload: {}, rules, actor: system, now }` (see `compiler/deadlines.ts`).
   */
  readonly schedules: readonly ScheduleDefinition[];
  readonly source: {
    readonly file: string;
    readonly text: string;
    /** SHA-256 (hex) of the source text: the definition version's identity. */
    readonly hash: string;
  };
}

/** What the compiler returns for each transition: an effect to run after commit. */
export interface Effect {
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Name of the state whose transition/entry/exit declared it. */
  readonly state: string;
}

/** The payload field of a decision's written opinion (an event's `opinion:`). */
export const OPINION_FIELD = 'opinion';
/** Longest written opinion accepted. */
export const MAX_OPINION_LENGTH = 2000;
