/**
 * A complaint as the engine stores it (instance, audit trail, timers) and the facts every
 * complaint view and report derives from it. Pure: no clock, no database; the business
 * calendar is passed in.
 *
 * Conventions (documented once here, relied on by the report and the views):
 * - **Reply cycles.** A complaint enters `handling` on dispatch and again each time an
 *   unsatisfied return visit reopens it. Each entry is a cycle with its own reply deadline: the
 *   `replyOverdue` timer the engine armed for it (its `dueAt`, so a complaint keeps the deadline
 *   computed when it was dispatched even if `rules.replyWithin` changes later). Timers are
 *   matched to cycles in time order: the earliest unused `replyOverdue` timer due at or after
 *   the cycle started.
 * - **On time** is decided on the FIRST cycle (the 三个工作日内回单 commitment on the 服务投诉单):
 *   - `onTime`: the first reply is at or before its deadline (an explanation filed as well does
 *     not matter);
 *   - `explained` (explained-late): no reply by the deadline, but a delay explanation
 *     (`explainDelay`) or a long-term problem (`markLongTerm`) was recorded at or before the
 *     deadline (003 四.(八).4–5: the department tells the CS center before the limit);
 *   - `late`: no reply by the deadline and nothing explained by then, replied later or not yet;
 *   - `pending`: not replied and the deadline has not passed (with `now`, compared with `now`;
 *     without it, the deadline has passed when its timer has fired);
 *   - `notDispatched`: never dispatched (still registered/classified, or invalid);
 *   - `noDeadline`: dispatched but no `replyOverdue` timer is known for the cycle.
 *   Reopened cycles are reported separately (`reopenedCount`, `cycles`).
 * - **Working days to first reply** = `calendar.workingDaysBetween(dispatchedAt, firstReplyAt)`:
 *   the working days d with localDate(dispatch) < d <= localDate(reply). A reply the same day is
 *   0; a reply on the third working day after dispatch is 3, the last day still on time.
 * - Instants are compared as instants (`Date.parse`), never as strings, since the context
 *   holds both `…Z` and `…+08:00` forms.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { BusinessCalendar } from '../../calendar/business-calendar';
import { COMPLAINT_VOCABULARY, isHandlingState, type ComplaintVocabulary } from './complaint-vocabulary';

/** The context of `definitions/complaint.yaml` (only `receivedAt … content` are required). */
export interface ComplaintContext {
  readonly receivedAt: string;
  readonly complainant: string;
  readonly unit: string;
  readonly contact: string;
  readonly channel: string;
  readonly forwardedBy?: string;
  readonly content: string;
  readonly valid?: boolean;
  readonly invalidReason?: string;
  readonly category?: string;
  readonly severity?: string;
  readonly classifiedBy?: string;
  readonly department?: string;
  readonly dispatchedAt?: string;
  readonly contactedAt?: string;
  readonly contactNote?: string;
  readonly contactEscalatedAt?: string;
  readonly explanation?: string;
  readonly delays?: readonly { readonly at?: string; readonly by?: string; readonly explanation?: string }[];
  readonly longTerm?: {
    readonly reason?: string;
    readonly explanation?: string;
    readonly expectedBy?: string;
    readonly explainedAt?: string;
    readonly dueNotifiedAt?: string;
  };
  readonly replyOverdueAt?: string;
  readonly escalatedAt?: string;
  readonly handlingMethod?: string;
  readonly result?: string;
  readonly replyAt?: string;
  readonly reopenCount?: number;
  readonly returnVisit?: { readonly satisfied?: boolean; readonly comment?: string; readonly at?: string; readonly by?: string };
  readonly closedAt?: string;
  readonly trainingCase?: boolean;
  readonly trainingNote?: string;
}

/** One audit row, as `AuditEntryView` has it (only the fields used here). */
export interface ComplaintAuditEntry {
  readonly seq: number;
  readonly eventType: string;
  /** ISO time of the step. */
  readonly at: string;
  readonly actor: string;
  readonly actorRoles?: readonly string[];
  readonly fromState: string | null;
  readonly toState: string;
  readonly payload: unknown;
}

/** One timer row (`timers` table): status is pending, fired, cancelled or failed. */
export interface ComplaintTimer {
  readonly eventType: string;
  readonly dueAt: string;
  readonly status: string;
  readonly firedAt: string | null;
  /** The due time counts working days of a year without official holiday data (recomputed once it arrives). */
  readonly provisional?: boolean;
}

/** A complaint as the engine's records read side hands it: data, audit trail (any order) and timers. */
export interface StoredComplaint {
  readonly id: string;
  readonly businessKey: string;
  readonly state: string;
  /** `active` or `completed`. */
  readonly status: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly trail: readonly ComplaintAuditEntry[];
  readonly timers: readonly ComplaintTimer[];
}

/** A complaint instance with its audit trail (ascending `seq`) and its timers. */
export interface ComplaintRecord {
  readonly id: string;
  readonly businessKey: string;
  /** The leaf state (`inProgress`, `returnVisit`, `closed`, ...). */
  readonly state: string;
  readonly status: 'active' | 'completed';
  readonly context: ComplaintContext;
  readonly trail: readonly ComplaintAuditEntry[];
  readonly timers: readonly ComplaintTimer[];
}

export type ReplyTimeliness = 'onTime' | 'explained' | 'late' | 'pending' | 'notDispatched' | 'noDeadline';

/** Chinese words for each timeliness, as printed in reports. */
export const REPLY_TIMELINESS_TITLES: Readonly<Record<ReplyTimeliness, string>> = {
  onTime: '按时回单',
  explained: '已说明延误',
  late: '超时未说明',
  pending: '未到期',
  notDispatched: '未派单',
  noDeadline: '无回单时限',
};

/** One stay in `handling`: from dispatch (or reopening) to the department's reply. */
export interface ReplyCycle {
  /** 0 for the first dispatch, n after the n-th reopening. */
  readonly index: number;
  readonly startedAt: string;
  /** The `replyOverdue` timer's due time, when known. */
  readonly deadline?: string;
  /** Status of that timer (`fired` once the limit passed while the complaint was unanswered). */
  readonly deadlineStatus?: string;
  /** The deadline rests on provisional calendar data (see business-calendar.ts). */
  readonly deadlineProvisional?: boolean;
  readonly repliedAt?: string;
  /** First delay explanation or long-term marking in this cycle, whenever it was recorded. */
  readonly explainedAt?: string;
  readonly explainedBy?: 'explainDelay' | 'markLongTerm';
  /** When the unexplained limit was escalated to the manager (`replyOverdue` → `overdue`). */
  readonly escalatedAt?: string;
}

/** What a complaint's record says, derived once for reports and views. */
export interface ComplaintFacts {
  readonly id: string;
  readonly businessKey: string;
  readonly state: string;
  readonly status: 'active' | 'completed';
  readonly receivedAt: string;
  /** Local date (calendar time zone) of receipt, `YYYY-MM-DD`. */
  readonly receivedDate: string;
  /** `YYYY-MM` of `receivedDate`. */
  readonly receivedMonth: string;
  readonly channel: string;
  readonly unit: string;
  readonly content: string;
  /** Undefined while not yet classified. */
  readonly valid: boolean | undefined;
  readonly invalidReason?: string;
  readonly category?: string;
  readonly severity?: string;
  readonly department?: string;
  readonly dispatchedAt?: string;
  readonly firstReplyAt?: string;
  readonly lastReplyAt?: string;
  /** The first cycle's reply deadline (its own `replyOverdue` timer). */
  readonly replyDeadline?: string;
  /** That deadline rests on provisional calendar data. */
  readonly replyDeadlineProvisional?: boolean;
  readonly replyTimeliness: ReplyTimeliness;
  /** true: on time; false: late or explained-late; undefined: not decided (pending, not dispatched, no deadline). */
  readonly onTime: boolean | undefined;
  /** A delay explanation or long-term marking recorded at or before the first deadline. */
  readonly explained: boolean;
  readonly explainedAt?: string;
  readonly explanation?: string;
  /** Marked as a problem that cannot be solved in the short term (any cycle). */
  readonly longTerm: boolean;
  readonly workingDaysToFirstReply?: number;
  /**
   * For `late` / `explained`: working days from the deadline's date to the reply's date (or to
   * `now` / the last trail entry while unanswered); 0 = late the same day, after closing time.
   */
  readonly workingDaysLate?: number;
  /** Unsatisfied return visits (重新处理次数). */
  readonly reopenedCount: number;
  /** 结案 (satisfied return visit) or closing as invalid. */
  readonly closedAt?: string;
  readonly closedDate?: string;
  /** The reply limit passed unexplained and the manager was notified (any cycle). */
  readonly escalated: boolean;
  /** Nobody contacted the complainant on the day of dispatch; the CS supervisor was notified. */
  readonly contactEscalated: boolean;
  readonly cycles: readonly ReplyCycle[];
}

const ms = (iso: string): number => Date.parse(iso);

/** The engine's views of one complaint (instance, audit entries, timers), put together as a `ComplaintRecord`. */
export function complaintRecordFrom({
  instance,
  audit,
  timers,
}: {
  instance: {
    readonly id: string;
    readonly businessKey: string;
    readonly state: string;
    readonly status: 'active' | 'completed';
    readonly context: Readonly<Record<string, unknown>>;
  };
  audit: readonly ComplaintAuditEntry[];
  timers: readonly ComplaintTimer[];
}): ComplaintRecord {
  return {
    id: instance.id,
    businessKey: instance.businessKey,
    state: instance.state,
    status: instance.status,
    context: instance.context as unknown as ComplaintContext,
    trail: [...audit].sort((a, b) => a.seq - b.seq),
    timers,
  };
}

/** A stored instance as the domain store hands it to `compute:` functions, as a `ComplaintRecord`. */
export function complaintRecordFromStored({ instance }: { instance: StoredComplaint }): ComplaintRecord {
  return {
    id: instance.id,
    businessKey: instance.businessKey,
    state: instance.state,
    status: instance.status === 'completed' ? 'completed' : 'active',
    context: instance.context as unknown as ComplaintContext,
    trail: [...instance.trail].sort((a, b) => a.seq - b.seq),
    timers: instance.timers,
  };
}

/**
 * The cycles of handling of a complaint, read from its trail (see the module header). A record
 * without a trail but with `context.dispatchedAt` (e.g. imported) gets one cycle from the context.
 */
export function replyCycles({ record, vocabulary = COMPLAINT_VOCABULARY }: { record: ComplaintRecord; vocabulary?: ComplaintVocabulary }): ReplyCycle[] {
  const inHandling = (state: string | null) => isHandlingState({ state, vocabulary });
  type Draft = { -readonly [K in keyof ReplyCycle]: ReplyCycle[K] };
  const drafts: Draft[] = [];
  let current: Draft | undefined;
  for (const e of record.trail) {
    if (!inHandling(e.fromState) && inHandling(e.toState)) {
      current = { index: drafts.length, startedAt: e.at };
      drafts.push(current);
      continue;
    }
    if (!current) continue;
    if ((e.eventType === 'explainDelay' || e.eventType === 'markLongTerm') && current.explainedAt === undefined) {
      current.explainedAt = e.at;
      current.explainedBy = e.eventType;
    }
    if (e.eventType === 'replyOverdue' && e.toState === 'overdue' && current.escalatedAt === undefined) current.escalatedAt = e.at;
    if (inHandling(e.fromState) && !inHandling(e.toState)) {
      if (e.eventType === 'reply') current.repliedAt = e.at;
      current = undefined;
    }
  }
  if (drafts.length === 0 && record.trail.every((e) => e.eventType !== 'dispatch') && record.context.dispatchedAt) {
    const c = record.context;
    const firstDelay = c.delays?.find((d) => d.at)?.at;
    drafts.push({
      index: 0,
      startedAt: c.dispatchedAt!,
      repliedAt: c.replyAt,
      explainedAt: firstDelay,
      explainedBy: firstDelay ? 'explainDelay' : undefined,
      escalatedAt: c.escalatedAt,
    });
  }
  const timers = record.timers
    .filter((t) => t.eventType === 'replyOverdue')
    .map((t, i) => ({ t, i }))
    .sort((a, b) => ms(a.t.dueAt) - ms(b.t.dueAt) || a.i - b.i)
    .map(({ t }) => t);
  const used = new Set<ComplaintTimer>();
  for (const d of drafts) {
    const timer = timers.find((t) => !used.has(t) && ms(t.dueAt) >= ms(d.startedAt));
    if (!timer) continue;
    used.add(timer);
    d.deadline = timer.dueAt;
    d.deadlineStatus = timer.status;
    if (timer.provisional) d.deadlineProvisional = true;
  }
  return drafts.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as unknown as ReplyCycle);
}

/**
 * How the reply of one cycle stands against its deadline (see the module header); `now`
 * decides whether an unanswered deadline has passed, otherwise the timer having fired does.
 */
export function replyTimelinessOf({ cycle, now }: { cycle: ReplyCycle | undefined; now?: Date }): ReplyTimeliness {
  if (!cycle) return 'notDispatched';
  if (cycle.deadline === undefined) return 'noDeadline';
  const deadline = ms(cycle.deadline);
  if (cycle.repliedAt !== undefined && ms(cycle.repliedAt) <= deadline) return 'onTime';
  const passed = cycle.repliedAt !== undefined || (now ? now.getTime() > deadline : cycle.deadlineStatus === 'fired');
  if (!passed) return 'pending';
  return cycle.explainedAt !== undefined && ms(cycle.explainedAt) <= deadline ? 'explained' : 'late';
}

/** The derived facts of one complaint (conventions in the module header). */
export function toComplaintFacts({
  record,
  calendar,
  now,
  vocabulary = COMPLAINT_VOCABULARY,
}: {
  record: ComplaintRecord;
  calendar: BusinessCalendar;
  /** When given, an unanswered deadline before `now` counts as passed. */
  now?: Date;
  vocabulary?: ComplaintVocabulary;
}): ComplaintFacts {
  const c = record.context;
  const received = instant(record, 'receivedAt', c.receivedAt);
  const receivedDate = calendar.localDate(received);
  const trail = record.trail;
  const firstOf = (type: string) => trail.find((e) => e.eventType === type);

  const cycles = replyCycles({ record, vocabulary });
  const first = cycles[0];
  const replies = trail.filter((e) => e.eventType === 'reply').map((e) => e.at);
  const firstReplyAt = replies[0] ?? first?.repliedAt;
  const lastReplyAt = replies[replies.length - 1] ?? c.replyAt;
  const dispatchedAt = c.dispatchedAt ?? firstOf('dispatch')?.at ?? first?.startedAt;

  const replyTimeliness = replyTimelinessOf({ cycle: first, now });
  const onTime = replyTimeliness === 'onTime' ? true : replyTimeliness === 'late' || replyTimeliness === 'explained' ? false : undefined;
  const explained = !!(first?.explainedAt && first.deadline && ms(first.explainedAt) <= ms(first.deadline));

  let workingDaysLate: number | undefined;
  if ((replyTimeliness === 'late' || replyTimeliness === 'explained') && first?.deadline) {
    const until = first.repliedAt ?? (now ? now.toISOString() : trail[trail.length - 1]?.at);
    if (until) workingDaysLate = Math.max(0, calendar.workingDaysBetween(new Date(first.deadline), new Date(until)));
  }

  const closedAt = c.closedAt ?? closedAtFromTrail(trail);
  const unsatisfiedVisits = trail.filter((e) => e.eventType === 'recordReturnVisit' && isHandlingState({ state: e.toState, vocabulary })).length;

  return {
    id: record.id,
    businessKey: record.businessKey,
    state: record.state,
    status: record.status,
    receivedAt: c.receivedAt,
    receivedDate,
    receivedMonth: receivedDate.slice(0, 7),
    channel: c.channel,
    unit: c.unit,
    content: c.content,
    valid: typeof c.valid === 'boolean' ? c.valid : validFromTrail(trail),
    invalidReason: c.invalidReason,
    category: c.category,
    severity: c.severity,
    department: c.department,
    dispatchedAt,
    firstReplyAt,
    lastReplyAt,
    replyDeadline: first?.deadline,
    ...(first?.deadlineProvisional ? { replyDeadlineProvisional: true } : {}),
    replyTimeliness,
    onTime,
    explained,
    explainedAt: explained ? first!.explainedAt : undefined,
    explanation: c.explanation ?? c.longTerm?.reason,
    longTerm: c.longTerm?.reason !== undefined || trail.some((e) => e.eventType === 'markLongTerm'),
    workingDaysToFirstReply: dispatchedAt && firstReplyAt ? calendar.workingDaysBetween(new Date(dispatchedAt), new Date(firstReplyAt)) : undefined,
    workingDaysLate,
    reopenedCount: trail.length > 0 ? unsatisfiedVisits : (c.reopenCount ?? 0),
    closedAt,
    closedDate: closedAt ? calendar.localDate(instant(record, 'closedAt', closedAt)) : undefined,
    escalated: cycles.some((x) => x.escalatedAt !== undefined) || c.escalatedAt !== undefined,
    contactEscalated: c.contactEscalatedAt !== undefined,
    cycles,
  };
}

function closedAtFromTrail(trail: readonly ComplaintAuditEntry[]): string | undefined {
  return trail.find((e) => e.toState === 'closed' || e.toState === 'invalid')?.at;
}

function validFromTrail(trail: readonly ComplaintAuditEntry[]): boolean | undefined {
  const classify = trail.find((e) => e.eventType === 'classify');
  const valid = (classify?.payload as { valid?: unknown } | undefined)?.valid;
  return typeof valid === 'boolean' ? valid : undefined;
}

function instant(record: ComplaintRecord, field: string, value: string | undefined): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    throw new AppError(
      ErrorCode.BadRequest,
      `complaint ${record.businessKey}: ${field} must be an ISO date-time such as 2026-02-13T10:00:00+08:00, got ${JSON.stringify(value)}`,
      { businessKey: record.businessKey, field, value },
    );
  }
  return d;
}
