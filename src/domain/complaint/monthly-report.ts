/**
 * 投诉月报 (003 四.(八).6): in the first 5 days of each month the CS center summarizes last
 * month's complaints — received and handled, by category, valid/invalid, on time or late —
 * analyses the causes and proposes improvements. This module computes the figures; the
 * analysis and proposals are texts people write (see `templates/complaint-monthly-report.hbs`).
 *
 * Every figure is recomputed from the complaint records themselves (context, audit trail,
 * timers through `toComplaintFacts`), never from stored counters, so the report can be made
 * again for any month and gives the same answer.
 *
 * Conventions:
 * - "Received in the month" = the local date of `receivedAt` in the calendar's time zone
 *   (Asia/Shanghai) falls in the month: 2026-03-01 00:30 +08:00 belongs to March.
 * - Reply timeliness (on time / explained / late / pending) is judged on the first reply cycle
 *   as of `now`, the moment the report is made: a complaint received on the 27th may be
 *   answered in the next month. `late` and `explained` include complaints still unanswered after
 *   their deadline (`unansweredPastDeadline` counts those).
 * - `closed` counts VALID complaints received in the month and closed (结案, satisfied return
 *   visit) on or before the last day of the month; invalid complaints, closed at classification,
 *   are counted under `invalid` only. `closedDuringMonth` counts every valid complaint closed in
 *   the month whenever it was received.
 * - The backlog at month end counts complaints received on or before the last day of the month
 *   (any earlier month too) and not closed (结案 or closed as invalid) by then.
 * - Top causes: complaint.yaml records no cause per complaint, so causes are approximated by
 *   the most frequent categories, departments and content keywords of the valid complaints
 *   (a fixed keyword list, matched as substrings; no word segmentation).
 * - Rows carry no complainant name or contact: the report goes to every department.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { BusinessCalendar } from '../../calendar/business-calendar';
import { REPLY_TIMELINESS_TITLES, toComplaintFacts, type ComplaintFacts, type ComplaintRecord, type ReplyTimeliness } from './complaint-record';
import { COMPLAINT_VOCABULARY, type ComplaintVocabulary } from './complaint-vocabulary';

/** Common words of property-management complaints, matched as substrings of the content. */
export const COMPLAINT_KEYWORDS: readonly string[] = [
  '电梯',
  '漏水',
  '渗水',
  '停水',
  '停电',
  '水压',
  '噪音',
  '停车',
  '门禁',
  '门岗',
  '保安',
  '监控',
  '被盗',
  '卫生',
  '垃圾',
  '绿化',
  '灯',
  '物业费',
  '收费',
  '装修',
  '宠物',
  '态度',
  '维修',
  '被困',
];

export interface CountRow {
  readonly name: string;
  readonly count: number;
}

/** One complaint as listed in the report (no complainant name or contact). */
export interface ComplaintReportRow {
  readonly businessKey: string;
  readonly receivedAt: string;
  readonly channel: string;
  readonly unit: string;
  readonly content: string;
  /** 有效 / 无效 / 未分类 */
  readonly validTitle: string;
  readonly category?: string;
  readonly severity?: string;
  readonly department?: string;
  readonly stateTitle: string;
  readonly dispatchedAt?: string;
  readonly replyDeadline?: string;
  /** The reply deadline rests on provisional calendar data. */
  readonly replyDeadlineProvisional?: boolean;
  readonly firstReplyAt?: string;
  readonly workingDaysToFirstReply?: number;
  readonly replyTimeliness: ReplyTimeliness;
  readonly timelinessTitle: string;
  readonly workingDaysLate?: number;
  readonly explanation?: string;
  readonly escalated: boolean;
  readonly reopenedCount: number;
  readonly closedAt?: string;
}

export interface ReplyTimelinessCounts {
  readonly onTime: number;
  readonly explained: number;
  readonly late: number;
  readonly pending: number;
  readonly noDeadline: number;
  /** onTime + explained + late: the complaints whose timeliness is known. */
  readonly decided: number;
  /** onTime / decided, or null when nothing is decided. */
  readonly onTimeRate: number | null;
}

export interface MonthlyComplaintReport {
  /** `YYYY-MM` */
  readonly month: string;
  /** `2026年2月` */
  readonly monthTitle: string;
  readonly timeZone: string;
  /** First and last local date of the month. */
  readonly periodStart: string;
  readonly periodEnd: string;
  /** When the figures were computed (ISO). */
  readonly asOf: string;
  /** False when `now` is before the end of the month: the figures are partial. */
  readonly monthComplete: boolean;

  readonly received: number;
  readonly valid: number;
  readonly invalid: number;
  readonly unclassified: number;
  readonly byChannel: readonly CountRow[];
  /** Valid complaints by category (every category of the rules, zeros included). */
  readonly byCategory: readonly CountRow[];
  readonly bySeverity: readonly CountRow[];
  /** Dispatched complaints by responsible department. */
  readonly byDepartment: readonly CountRow[];

  readonly dispatched: number;
  /** Dispatched complaints with a first reply by `asOf`. */
  readonly replied: number;
  readonly replyTimeliness: ReplyTimelinessCounts;
  /** Late or explained and still without a reply at `asOf`. */
  readonly unansweredPastDeadline: number;
  /** Reply limit passed unexplained and escalated to the manager (any cycle). */
  readonly escalated: number;
  /** Valid complaints received in the month and closed (结案) by its last day. */
  readonly closed: number;
  /** Valid complaints closed during the month, whenever received. */
  readonly closedDuringMonth: number;
  /** Complaints reopened at least once after an unsatisfied return visit. */
  readonly reopened: number;
  /** Total reopenings (one complaint may be reopened several times). */
  readonly reopenings: number;
  /** Mean working days from dispatch to first reply (2 decimals), null when none replied. */
  readonly averageWorkingDaysToReply: number | null;
  /** Complaints received by the month's last day and not closed by then. */
  readonly backlogAtMonthEnd: number;

  readonly topCategories: readonly CountRow[];
  readonly topDepartments: readonly CountRow[];
  readonly topKeywords: readonly CountRow[];

  /** Complaints of the month replied late or explained-late (or unanswered past the deadline). */
  readonly lateComplaints: readonly ComplaintReportRow[];
  /** Every complaint received in the month, by time of receipt. */
  readonly complaints: readonly ComplaintReportRow[];
}

/**
 * The top-level fields `templates/complaint-monthly-report.hbs` reads: `report` (the object
 * of monthlyComplaintReport), the two texts the CS center writes (`analysis` 原因分析,
 * `proposals` 改进建议), and `renderedAt` (the print time in the shared sheet footer).
 */
export const MONTHLY_REPORT_TEMPLATE_FIELDS = ['analysis', 'proposals', 'renderedAt', 'report'] as const;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The monthly complaint figures for the complaints received in `month` (see the module header
 * for the conventions). `records` may contain complaints of any month: those of other months
 * only count towards `closedDuringMonth` and the backlog.
 */
export function monthlyComplaintReport({
  month,
  records,
  calendar,
  now,
  vocabulary = COMPLAINT_VOCABULARY,
  keywords = COMPLAINT_KEYWORDS,
  top = 3,
}: {
  month: string;
  records: readonly ComplaintRecord[];
  calendar: BusinessCalendar;
  now: Date;
  vocabulary?: ComplaintVocabulary;
  keywords?: readonly string[];
  /** How many top categories and departments to list (keywords: top + 2). */
  top?: number;
}): MonthlyComplaintReport {
  const m = MONTH.exec(month);
  if (!m) {
    throw new AppError(ErrorCode.BadRequest, `month must be written YYYY-MM, e.g. 2026-02; got ${JSON.stringify(month)}`, { month });
  }
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const periodStart = `${month}-01`;
  const periodEnd = `${month}-${String(new Date(Date.UTC(year, mon, 0)).getUTCDate()).padStart(2, '0')}`;
  const all = records.map((record) => toComplaintFacts({ record, calendar, now, vocabulary }));
  const inMonth = all
    .filter((f) => f.receivedMonth === month)
    .sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.businessKey.localeCompare(b.businessKey));
  const valid = inMonth.filter((f) => f.valid === true);
  const dispatched = inMonth.filter((f) => f.dispatchedAt !== undefined);

  const timeliness = (t: ReplyTimeliness) => inMonth.filter((f) => f.replyTimeliness === t).length;
  const onTime = timeliness('onTime');
  const decided = onTime + timeliness('explained') + timeliness('late');
  const withDays = inMonth.filter((f) => f.workingDaysToFirstReply !== undefined);
  const isLate = (f: ComplaintFacts) => f.replyTimeliness === 'late' || f.replyTimeliness === 'explained';

  const byCategory = countBy(valid, (f) => f.category, vocabulary.categories);
  const byDepartment = countBy(dispatched, (f) => f.department, vocabulary.departments);
  const rows = inMonth.map((f) => reportRow(f, vocabulary));

  return {
    month,
    monthTitle: `${year}年${mon}月`,
    timeZone: calendar.timeZone,
    periodStart,
    periodEnd,
    asOf: now.toISOString(),
    monthComplete: calendar.localDate(now) > periodEnd,

    received: inMonth.length,
    valid: valid.length,
    invalid: inMonth.filter((f) => f.valid === false).length,
    unclassified: inMonth.filter((f) => f.valid === undefined).length,
    byChannel: countBy(inMonth, (f) => f.channel, vocabulary.channels),
    byCategory,
    bySeverity: countBy(valid, (f) => f.severity, vocabulary.severities),
    byDepartment,

    dispatched: dispatched.length,
    replied: dispatched.filter((f) => f.firstReplyAt !== undefined).length,
    replyTimeliness: {
      onTime,
      explained: timeliness('explained'),
      late: timeliness('late'),
      pending: timeliness('pending'),
      noDeadline: timeliness('noDeadline'),
      decided,
      onTimeRate: decided === 0 ? null : onTime / decided,
    },
    unansweredPastDeadline: inMonth.filter((f) => isLate(f) && f.firstReplyAt === undefined).length,
    escalated: inMonth.filter((f) => f.escalated).length,
    closed: valid.filter((f) => f.closedDate !== undefined && f.closedDate <= periodEnd).length,
    closedDuringMonth: all.filter((f) => f.valid === true && f.closedDate?.slice(0, 7) === month).length,
    reopened: inMonth.filter((f) => f.reopenedCount > 0).length,
    reopenings: inMonth.reduce((n, f) => n + f.reopenedCount, 0),
    averageWorkingDaysToReply:
      withDays.length === 0 ? null : Math.round((withDays.reduce((n, f) => n + f.workingDaysToFirstReply!, 0) / withDays.length) * 100) / 100,
    backlogAtMonthEnd: all.filter((f) => f.receivedDate <= periodEnd && !(f.closedDate !== undefined && f.closedDate <= periodEnd)).length,

    topCategories: topOf(byCategory, top),
    topDepartments: topOf(byDepartment, top),
    topKeywords: topOf(
      keywords.map((k) => ({ name: k, count: valid.filter((f) => f.content.includes(k)).length })),
      top + 2,
    ),

    lateComplaints: rows.filter((_, i) => isLate(inMonth[i])),
    complaints: rows,
  };
}

/** Counts by a field, every `known` value first (zeros kept, in that order), unknown values after. */
function countBy(facts: readonly ComplaintFacts[], field: (f: ComplaintFacts) => string | undefined, known: readonly string[]): CountRow[] {
  const counts = new Map<string, number>(known.map((k) => [k, 0]));
  for (const f of facts) {
    const key = field(f) ?? '未填写';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([name, count]) => count > 0 || known.includes(name)).map(([name, count]) => ({ name, count }));
}

/** The `n` largest non-zero counts; ties keep their listed order. */
function topOf(rows: readonly CountRow[], n: number): CountRow[] {
  return rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.count > 0)
    .sort((a, b) => b.r.count - a.r.count || a.i - b.i)
    .slice(0, n)
    .map(({ r }) => r);
}

function reportRow(f: ComplaintFacts, vocabulary: ComplaintVocabulary): ComplaintReportRow {
  return {
    businessKey: f.businessKey,
    receivedAt: f.receivedAt,
    channel: f.channel,
    unit: f.unit,
    content: f.content,
    validTitle: f.valid === true ? '有效' : f.valid === false ? '无效' : '未分类',
    category: f.category,
    severity: f.severity,
    department: f.department,
    stateTitle: vocabulary.stateTitles[f.state] ?? f.state,
    dispatchedAt: f.dispatchedAt,
    replyDeadline: f.replyDeadline,
    ...(f.replyDeadlineProvisional ? { replyDeadlineProvisional: true } : {}),
    firstReplyAt: f.firstReplyAt,
    workingDaysToFirstReply: f.workingDaysToFirstReply,
    replyTimeliness: f.replyTimeliness,
    timelinessTitle: REPLY_TIMELINESS_TITLES[f.replyTimeliness],
    workingDaysLate: f.workingDaysLate,
    explanation: f.explanation,
    escalated: f.escalated,
    reopenedCount: f.reopenedCount,
    closedAt: f.closedAt,
  };
}
