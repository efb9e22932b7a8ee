/**
 * Views of complaints for the CS center's working list: what is due, filters, and the story of
 * one complaint in Chinese. Pure: `now` is passed in.
 *
 * "Due" (`currentDueAt`) is the deadline the complaint is waiting on now:
 * - in `handling`: the reply deadline of the current cycle (its `replyOverdue` timer), except in
 *   `longTermFollowUp`, where the date promised to the customer (`longTermDue` timer) counts —
 *   the reply limit no longer applies to an explained long-term problem;
 * - in any other state (registered, classified, returnVisit, finished): none — complaint.yaml
 *   sets no deadline for classifying, dispatching or the return visit.
 */
import { dateCn } from '../../documents/template-helpers';
import { replyCycles, type ComplaintAuditEntry, type ComplaintRecord, type ReplyCycle } from './complaint-record';
import { COMPLAINT_VOCABULARY, eventTitle, isHandlingState, START_EVENT, type ComplaintVocabulary } from './complaint-vocabulary';

export interface WorkingViewItem {
  readonly record: ComplaintRecord;
  /** The deadline the complaint is waiting on (see the module header), if any. */
  readonly dueAt?: string;
  /** That deadline rests on provisional calendar data (a year without official holidays yet). */
  readonly dueProvisional: boolean;
  /** Due before `now`. */
  readonly overdue: boolean;
  /** How long past due, in milliseconds (0 when not overdue). */
  readonly overdueByMs: number;
}

const ms = (iso: string) => Date.parse(iso);

/** The engine's audit entry for deadlines recomputed after a calendar change (engine/calendar-sync.ts). */
const DEADLINES_RECOMPUTED = '$deadlines.recomputed';

/** `2027年官方节假日安排已导入：回单时限由 2027年1月5日 18:00（暂定）调整为 2027年1月4日 18:00` */
function describeRecomputed(e: ComplaintAuditEntry, at: (iso: string) => string, vocabulary: ComplaintVocabulary): string {
  const p = (e.payload && typeof e.payload === 'object' ? e.payload : {}) as { reason?: unknown; changes?: unknown };
  const changes = Array.isArray(p.changes)
    ? (p.changes as { event?: string; oldDueAt?: string; newDueAt?: string; wasProvisional?: boolean; provisional?: boolean }[])
    : [];
  const what = (event: string | undefined) =>
    event === 'replyOverdue'
      ? '回单时限'
      : event === 'contactOverdue'
        ? '联系时限'
        : `${eventTitle({ event: event ?? '', state: null, vocabulary }) ?? '期限'}的时限`;
  const mark = (p: boolean | undefined) => (p ? '（暂定）' : '');
  const lines = changes
    .filter((c) => c.oldDueAt && c.newDueAt)
    .map((c) =>
      c.oldDueAt === c.newDueAt
        ? `${what(c.event)} ${at(c.newDueAt!)} 已按官方日历确认${mark(c.provisional)}`
        : `${what(c.event)}由 ${at(c.oldDueAt!)}${mark(c.wasProvisional)} 调整为 ${at(c.newDueAt!)}${mark(c.provisional)}`,
    );
  return [typeof p.reason === 'string' ? p.reason : '', lines.join('；')].filter(Boolean).join('：');
}

/** The deadline a complaint is waiting on now (see the module header); undefined when none. */
export function currentDueAt({ record, vocabulary = COMPLAINT_VOCABULARY }: { record: ComplaintRecord; vocabulary?: ComplaintVocabulary }): string | undefined {
  return currentDeadline({ record, vocabulary })?.dueAt;
}

/** `currentDueAt` with whether that deadline is provisional. */
export function currentDeadline({
  record,
  vocabulary = COMPLAINT_VOCABULARY,
}: {
  record: ComplaintRecord;
  vocabulary?: ComplaintVocabulary;
}): { dueAt: string; provisional: boolean } | undefined {
  if (record.status === 'completed' || !isHandlingState({ state: record.state, vocabulary })) return undefined;
  if (record.state === 'longTermFollowUp') {
    const promised = record.timers.filter((t) => t.eventType === 'longTermDue');
    if (promised.length) return { dueAt: promised[promised.length - 1].dueAt, provisional: promised[promised.length - 1].provisional === true };
  }
  const cycles = replyCycles({ record, vocabulary });
  const current = cycles[cycles.length - 1];
  return current?.deadline !== undefined && current.repliedAt === undefined
    ? { dueAt: current.deadline, provisional: current.deadlineProvisional === true }
    : undefined;
}

/**
 * The working list: active complaints with a deadline first, ordered by that deadline — so the
 * most overdue come first, then those due soonest; then active complaints without a deadline,
 * oldest first; finished complaints last, oldest first. Ties: older receipt, then business key.
 */
export function sortForWorkingView({
  records,
  now,
  vocabulary = COMPLAINT_VOCABULARY,
}: {
  records: readonly ComplaintRecord[];
  now: Date;
  vocabulary?: ComplaintVocabulary;
}): WorkingViewItem[] {
  const items = records.map((record) => {
    const due = currentDeadline({ record, vocabulary });
    const dueAt = due?.dueAt;
    const overdueByMs = dueAt === undefined ? 0 : Math.max(0, now.getTime() - ms(dueAt));
    return { record, dueAt, dueProvisional: due?.provisional === true, overdue: overdueByMs > 0, overdueByMs };
  });
  const group = (i: WorkingViewItem) => (i.dueAt !== undefined ? 0 : i.record.status === 'active' ? 1 : 2);
  return items.sort(
    (a, b) =>
      group(a) - group(b) ||
      (a.dueAt !== undefined && b.dueAt !== undefined ? ms(a.dueAt) - ms(b.dueAt) : 0) ||
      ms(a.record.context.receivedAt) - ms(b.record.context.receivedAt) ||
      a.record.businessKey.localeCompare(b.record.businessKey),
  );
}

/**
 * The complaints matching every criterion given: `state` (a leaf state, or `handling` for any
 * state inside it; one or several), responsible `department`, `category`, and `dueBefore`
 * (a current deadline strictly before that moment; complaints without one are left out).
 */
export function filterComplaints({
  records,
  state,
  department,
  category,
  dueBefore,
  vocabulary = COMPLAINT_VOCABULARY,
}: {
  records: readonly ComplaintRecord[];
  state?: string | readonly string[];
  department?: string;
  category?: string;
  dueBefore?: Date | string;
  vocabulary?: ComplaintVocabulary;
}): ComplaintRecord[] {
  const states = state === undefined ? undefined : new Set(typeof state === 'string' ? [state] : state);
  const before = dueBefore === undefined ? undefined : new Date(dueBefore).getTime();
  const inStates = (leaf: string) => {
    for (let s: string | undefined = leaf; s; s = vocabulary.stateParents[s]) if (states!.has(s)) return true;
    return false;
  };
  return records.filter((r) => {
    if (states && !inStates(r.state)) return false;
    if (department !== undefined && r.context.department !== department) return false;
    if (category !== undefined && r.context.category !== category) return false;
    if (before !== undefined) {
      const due = currentDueAt({ record: r, vocabulary });
      if (due === undefined || !(ms(due) < before)) return false;
    }
    return true;
  });
}

/**
 * The audit trail of one complaint as lines in Chinese — when, who, what (the event's title in
 * complaint.yaml) and the essentials of what was recorded:
 * `2026年2月13日 10:20　客服助理 zhang　派单（服务投诉单）：派往工程部`.
 * `actorNames` maps user ids to names; times are shown in `timeZone` (default Asia/Shanghai).
 */
export function complaintTimeline({
  record,
  actorNames = {},
  timeZone,
  vocabulary = COMPLAINT_VOCABULARY,
}: {
  record: ComplaintRecord;
  actorNames?: Readonly<Record<string, string>>;
  timeZone?: string;
  vocabulary?: ComplaintVocabulary;
}): string[] {
  const cycles = replyCycles({ record, vocabulary });
  const at = (iso: string) => dateCn(iso, { time: true, timeZone });
  const provisional = (cycle: ReplyCycle | undefined) => (cycle?.deadlineProvisional ? '，暂定' : '');
  let replies = 0;
  let started = 0;
  return record.trail.map((e, i) => {
    const title =
      e.eventType === START_EVENT
        ? '登记投诉（顾客投诉记录）'
        : e.eventType === DEADLINES_RECOMPUTED
          ? '期限重算（业务日历更新）'
          : Object.prototype.hasOwnProperty.call(ASSIGNMENT_TITLES, e.eventType)
            ? ASSIGNMENT_TITLES[e.eventType]
            : (eventTitle({ event: e.eventType, state: e.fromState, vocabulary }) ?? e.eventType);
    let detail = e.eventType === DEADLINES_RECOMPUTED ? describeRecomputed(e, at, vocabulary) : describe(e, record, record.trail.slice(0, i), timeZone);
    if (!isHandlingState({ state: e.fromState, vocabulary }) && isHandlingState({ state: e.toState, vocabulary })) {
      // A provisional reply deadline is told where the cycle starts, so nobody mistakes it for a final one.
      const cycle = cycles[started++];
      if (cycle?.deadline && cycle.deadlineProvisional) detail += `（回单时限 ${at(cycle.deadline)}，暂定）`;
    }
    if (e.eventType === 'reply') {
      const cycle = cycles[replies++];
      if (cycle?.deadline && ms(e.at) > ms(cycle.deadline)) detail += `（超过回单时限 ${at(cycle.deadline)}${provisional(cycle)}）`;
    }
    return `${dateCn(e.at, { time: true, timeZone })}　${who(e, actorNames, vocabulary)}　${title}${detail ? `：${detail}` : ''}`;
  });
}

/** Another process's start or event is recorded as the actor `process:<definition key>` (system is the engine alone). */
const PROCESS_ACTOR = /^process:(.+)$/;

function who(e: ComplaintAuditEntry, names: Readonly<Record<string, string>>, vocabulary: ComplaintVocabulary): string {
  if (e.actor === 'system') return vocabulary.roleTitles.system ?? '系统';
  const sender = PROCESS_ACTOR.exec(e.actor);
  if (sender) return `流程 ${names[e.actor] ?? sender[1]}`;
  const role = (e.actorRoles ?? []).map((r) => vocabulary.roleTitles[r]).find((t) => t !== undefined);
  const name = names[e.actor] ?? e.actor;
  return role ? `${role} ${name}` : name;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function excerpt(s: string, max = 40): string {
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : s;
}

/** Who holds the step (claim, release, transfer, reassign: `engine/assignment.service.ts`), as people say it. */
const ASSIGNMENT_TITLES: Readonly<Record<string, string>> = { $claim: '认领', $release: '释放', $transfer: '转交', $reassign: '改派', $remind: '催办' };

function describe(e: ComplaintAuditEntry, record: ComplaintRecord, before: readonly ComplaintAuditEntry[], timeZone: string | undefined): string {
  const p = (e.payload && typeof e.payload === 'object' ? e.payload : {}) as Record<string, unknown>;
  switch (e.eventType) {
    case START_EVENT: {
      const from = text(p.forwardedBy) ? `（${text(p.forwardedBy)}转交）` : '';
      return `${text(p.channel)}${from}，${text(p.unit)} ${text(p.complainant)}：“${excerpt(text(p.content))}”`;
    }
    case 'classify':
      return p.valid === true ? `有效投诉，${text(p.category)}，${text(p.severity)}` : `无效投诉（${text(p.reason)}），已关闭`;
    case 'dispatch':
      return `派往${text(p.department)}`;
    case 'recordContact':
      return text(p.note);
    case 'contactOverdue':
      return before.some((x) => x.eventType === 'recordContact') ? '此前已联系投诉人，无需处理' : '已通知客户服务主任跟进';
    case 'replyOverdue':
      return e.toState === 'overdue' ? '已上报服务中心经理' : '';
    case 'explainDelay':
      return text(p.explanation);
    case 'markLongTerm':
      return `原因：${text(p.reason)}`;
    case 'explainToCustomer':
      return `${text(p.explanation)}；预计解决期限 ${dateCn(p.expectedBy, { timeZone })}`;
    case 'reply':
      return `处理方式：${text(p.method)}；处理结果：${text(p.result)}`;
    case 'recordReturnVisit': {
      const comment = text(p.comment) ? `；顾客意见：${text(p.comment)}` : '';
      return p.satisfied === true ? `顾客满意，结案${comment}` : `顾客不满意，退回${record.context.department ?? '责任部门'}重新处理${comment}`;
    }
    case 'tagTrainingCase':
      return text(p.note);
    default:
      return '';
  }
}
