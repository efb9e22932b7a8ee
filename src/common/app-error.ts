/**
 * Errors that reach a user carry a stable machine-readable code and a message a person can
 * act on. The HTTP layer maps each code to a status in one exhaustive switch
 * (`src/http/app-error.filter.ts`), so adding a code without deciding its status fails the build.
 */
export enum ErrorCode {
  /** Request body or query is malformed (not a definition, not a payload). */
  BadRequest = 'BAD_REQUEST',
  /** No credentials, wrong credentials, or an expired/unknown token. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** Authenticated, but none of the actor's roles may do this. */
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  /** The YAML definition has errors (details.errors lists each with file/line/column). */
  DefinitionInvalid = 'DEFINITION_INVALID',
  /** The event payload does not match the event's JSON Schema (details.errors has JSON paths). */
  PayloadInvalid = 'PAYLOAD_INVALID',
  /** The instance context (at start, or after assignments) does not match the context schema. */
  ContextInvalid = 'CONTEXT_INVALID',
  /** The event is not accepted in the instance's current state. */
  EventNotAccepted = 'EVENT_NOT_ACCEPTED',
  /** The event is accepted, but none of its guarded branches matched. */
  GuardRejected = 'GUARD_REJECTED',
  /** The instance moved on (its version changed) while this event was being applied: retry. */
  VersionConflict = 'VERSION_CONFLICT',
  /** The instance reached a final state and accepts no more events. */
  InstanceCompleted = 'INSTANCE_COMPLETED',
  /** Something with that identity already exists (business key, username, ...). */
  AlreadyExists = 'ALREADY_EXISTS',
  /** The idempotency key was used before with a different request. */
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  /** An expression failed while evaluating (e.g. a missing field): the definition needs a fix. */
  ExpressionFailed = 'EXPRESSION_FAILED',
  /** Request body larger than the configured limit. */
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** Too many failed sign-ins for this username: wait before trying again. */
  TooManyAttempts = 'TOO_MANY_ATTEMPTS',
  /**
   * The business calendar has no official holiday data for a year a deadline needs: the
   * calendar would otherwise silently guess Mon–Fri. Fix: add the year to the calendar file
   * or upgrade chinese-days.
   */
  CalendarDataMissing = 'CALENDAR_DATA_MISSING',
  /** The calendar YAML file has errors (details.errors lists each with file/line/column). */
  CalendarInvalid = 'CALENDAR_INVALID',
  /** A Handlebars template or partial fails to parse or to render (details name the template). */
  TemplateInvalid = 'TEMPLATE_INVALID',
  /** A survey questionnaire YAML has errors (details.errors lists each with file/line/column). */
  QuestionnaireInvalid = 'QUESTIONNAIRE_INVALID',
  /**
   * An uploaded owner roster cannot be used: unreadable file, or bad rows (details.errors lists
   * each with its 1-based spreadsheet row, column header and value). Nothing is stored.
   */
  RosterInvalid = 'ROSTER_INVALID',
  /**
   * The participation rule table (`definitions/rules/participation.yaml`) has errors
   * (details.errors lists each with file/line/column). The whole table is refused.
   */
  ParticipationRulesInvalid = 'PARTICIPATION_RULES_INVALID',
  /** The facts of a project/phase cannot be judged by the participation rules (details.errors has JSON paths). */
  ParticipationFactsInvalid = 'PARTICIPATION_FACTS_INVALID',
  /**
   * A survey round was asked for a stage the participation rules do not survey; the message and
   * details name the rule(s). A group CR override can allow it.
   */
  StageNotParticipating = 'STAGE_NOT_PARTICIPATING',
  Internal = 'INTERNAL',
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
