/**
 * The one error model. Every error the engine, the HTTP layer, the CLI or the background
 * workers hand to a caller is an `AppError` with a stable code and two messages:
 *
 * - `message` for developers and operators: English, names the thing and what to do, goes to
 *   logs and to the API's `message` field;
 * - `userMessage` for the person in front of the screen: Chinese, plain, no code, no stack;
 *   the code's default below unless the throw gives a more precise one (e.g. the `reject:`
 *   text a process owner wrote in the YAML).
 *
 * Next to the codes, one exhaustive table (`ERROR_CODES`, a `Record<ErrorCode, …>`) gives each
 * code its HTTP status, whether retrying the same request later may succeed, and its default
 * user message: adding a code without deciding all three fails the build. The HTTP filter reads
 * the status from it; the timer runner and the outbox dispatcher decide "retry or give up" from
 * it (`isRetryable`).
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
  /** The service's configuration (environment variables) is invalid; raised at boot, before anything listens. */
  ConfigInvalid = 'CONFIG_INVALID',
  /** The mail server (or the mail folder) did not take a message; the outbox tries again with backoff. */
  MailDeliveryFailed = 'MAIL_DELIVERY_FAILED',
  /**
   * An outbox message cannot be delivered as the definition wrote it: no recipient, no rendered
   * body, no instance to send the event to. Retrying cannot help; the definition needs a fix.
   */
  Undeliverable = 'UNDELIVERABLE',
  /**
   * The database is away or busy: the connection was lost, refused or timed out, the server is
   * shutting down or has too many connections, or the SQLite file is locked. Nothing was
   * changed; retry after `Retry-After` seconds.
   */
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  /** A fault of the engine itself (a bug, or a definition naming a domain function this build lacks). */
  Internal = 'INTERNAL',
}

/** What a code means to callers. */
export interface ErrorCodeSpec {
  /** The HTTP status the API answers with. */
  readonly status: number;
  /**
   * True when sending the same request again later, unchanged, may succeed (someone else moved
   * the instance on, a server was briefly away). The background workers retry exactly these.
   */
  readonly retryable: boolean;
  /** Default message for the person in front of the screen (Chinese, plain, no code). */
  readonly userMessage: string;
}

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeSpec>> = {
  [ErrorCode.BadRequest]: { status: 400, retryable: false, userMessage: '请求内容有误，请检查后重新提交。' },
  [ErrorCode.Unauthenticated]: { status: 401, retryable: false, userMessage: '尚未登录或登录已失效，请重新登录。' },
  [ErrorCode.Forbidden]: { status: 403, retryable: false, userMessage: '您没有进行此操作的权限。' },
  [ErrorCode.NotFound]: { status: 404, retryable: false, userMessage: '没有找到要查看的内容，它可能不存在或已被删除。' },
  [ErrorCode.DefinitionInvalid]: { status: 422, retryable: false, userMessage: '流程定义文件有错误，未做任何保存，请按提示逐条修改后重新上传。' },
  [ErrorCode.PayloadInvalid]: { status: 422, retryable: false, userMessage: '填写的内容不符合要求，请检查后重新提交。' },
  [ErrorCode.ContextInvalid]: { status: 422, retryable: false, userMessage: '该事项的资料不符合要求，请检查填写的内容后重新提交。' },
  [ErrorCode.EventNotAccepted]: { status: 409, retryable: false, userMessage: '该事项当前的状态下不能进行此操作，请刷新后查看最新状态。' },
  [ErrorCode.GuardRejected]: { status: 409, retryable: false, userMessage: '不满足此操作的办理条件，未能办理。' },
  [ErrorCode.VersionConflict]: { status: 409, retryable: true, userMessage: '该记录刚被他人更新，请刷新后重试。' },
  [ErrorCode.InstanceCompleted]: { status: 409, retryable: false, userMessage: '该事项已办结，不能再进行操作。' },
  [ErrorCode.AlreadyExists]: { status: 409, retryable: false, userMessage: '该记录已存在，请勿重复提交。' },
  [ErrorCode.IdempotencyKeyReused]: { status: 422, retryable: false, userMessage: '这次提交与之前的一次提交冲突，请刷新页面后重新提交。' },
  [ErrorCode.ExpressionFailed]: { status: 422, retryable: false, userMessage: '流程规则计算出错，请联系流程负责人。' },
  [ErrorCode.PayloadTooLarge]: { status: 413, retryable: false, userMessage: '提交的内容太大，请压缩或分开后再提交。' },
  [ErrorCode.TooManyAttempts]: { status: 429, retryable: true, userMessage: '密码错误次数过多，请稍后再试。' },
  [ErrorCode.CalendarDataMissing]: { status: 422, retryable: false, userMessage: '工作日历缺少所需年份的节假日安排，请联系管理员。' },
  [ErrorCode.CalendarInvalid]: { status: 422, retryable: false, userMessage: '工作日历文件有错误，未做任何更改，请按提示修改。' },
  [ErrorCode.TemplateInvalid]: { status: 422, retryable: false, userMessage: '文书模板有错误，无法生成文书，请联系管理员。' },
  [ErrorCode.QuestionnaireInvalid]: { status: 422, retryable: false, userMessage: '问卷文件有错误，请按提示修改。' },
  [ErrorCode.RosterInvalid]: { status: 422, retryable: false, userMessage: '业主名册有错误，未导入任何数据，请按提示修改后重新上传。' },
  [ErrorCode.ParticipationRulesInvalid]: { status: 422, retryable: false, userMessage: '参与规则表有错误，请按提示修改。' },
  [ErrorCode.ParticipationFactsInvalid]: { status: 422, retryable: false, userMessage: '项目资料不完整或有误，无法判断是否参加调查。' },
  [ErrorCode.StageNotParticipating]: { status: 422, retryable: false, userMessage: '按参与规则，该阶段不参加本次调查。' },
  [ErrorCode.ConfigInvalid]: { status: 500, retryable: false, userMessage: '服务配置有误，请联系管理员。' },
  [ErrorCode.MailDeliveryFailed]: { status: 502, retryable: true, userMessage: '邮件暂时无法发送，系统会稍后自动重试。' },
  [ErrorCode.Undeliverable]: { status: 422, retryable: false, userMessage: '通知无法送达：流程中的收件人或接收对象有误，请联系流程负责人。' },
  [ErrorCode.DatabaseUnavailable]: { status: 503, retryable: true, userMessage: '系统暂时繁忙，本次操作未保存，请稍后重试。' },
  [ErrorCode.Internal]: { status: 500, retryable: false, userMessage: '系统出现内部错误，请稍后再试；如果问题仍然存在，请联系管理员。' },
};

export interface AppErrorOptions {
  /** Replaces the code's default user message: Chinese, plain, no code (e.g. a refusal written by the process owner). */
  readonly userMessage?: string;
  /** The lower-level error this one reports (kept for logs). */
  readonly cause?: unknown;
}

export class AppError extends Error {
  /** For the person in front of the screen: Chinese, plain, no code or stack. */
  readonly userMessage: string;

  /**
   * @param message for developers and operators (English): what is wrong and what to do.
   * @param details machine-readable facts; `details.errors` lists positioned problems.
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.userMessage = options.userMessage ?? ERROR_CODES[code].userMessage;
  }

  /** The HTTP status of the code. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** Whether sending the same request again later may succeed. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

/** The HTTP status of a code. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/**
 * Retry or give up, for the background workers. An AppError is retryable when its code is; any
 * other error (a dropped connection, a busy database, a bug) counts as a passing fault and is
 * retried too, as it always was.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof AppError ? ERROR_CODES[err.code].retryable : true;
}
