/**
 * What the survey templates (`templates/survey-*.hbs`, `corrective-action-notice.hbs`,
 * `opinion-record.hbs`) read, so the engine can provide it and the definition loader can check
 * the context schema: the top-level fields of each template, and the data shapes behind them.
 *
 * Every template also reads `businessKey` (编号 in the header) and `renderedAt` (footer), both
 * provided by the engine. Rates are ratios (0.511), printed by the `percent` helper.
 */
import type { Household } from './roster';
import type { SurveyComment } from './statistics';

/** Top-level data fields each template reads (kept equal to TemplateCatalog.referencedRootFields by the spec). */
export const SURVEY_TEMPLATE_FIELDS = {
  /** 调研计划. `plan` with `coverage` (survey.yearCoverage); `occasion` (003 四.(二)) when recorded. */
  'survey-plan': ['batch', 'businessKey', 'occasion', 'plan', 'project', 'renderedAt', 'serviceCenter', 'stage'],
  /** F001. `answers` is optional: given, the boxes are ticked (archived copy); absent, a blank form. */
  'survey-questionnaire': ['answers', 'batch', 'businessKey', 'household', 'project', 'questionnaire', 'renderedAt', 'serviceCenter', 'surveyedAt', 'surveyor'],
  /** F002. `statistics` = surveyStatistics(); `validity` = { valid, threshold, comparison? }. */
  'survey-statistics': [
    'batch',
    'businessKey',
    'preparedAt',
    'preparedBy',
    'project',
    'renderedAt',
    'serviceCenter',
    'statistics',
    'surveyedFrom',
    'surveyedTo',
    'validity',
  ],
  /** Analysis report. `analysis` = analyseRound(); `commonIssues`: CommonIssue[]; `expectations`: text. */
  'survey-analysis': [
    'analysis',
    'batch',
    'businessKey',
    'commonIssues',
    'expectations',
    'method',
    'preparedAt',
    'preparedBy',
    'project',
    'renderedAt',
    'serviceCenter',
    'statistics',
    'surveyedFrom',
    'surveyedTo',
    'validity',
  ],
  /** Open letter / results notice (000 篇3). `replies`: NoticeReply[]. */
  'survey-notice': ['hotline', 'managementOffice', 'publishedAt', 'replies', 'statistics'],
  /** 整改通知 (000 4.7.1). */
  'corrective-action-notice': [
    'businessKey',
    'deadline',
    'department',
    'issue',
    'issuedAt',
    'manager',
    'measures',
    'renderedAt',
    'responsiblePerson',
    'serviceCenter',
    'source',
    'spotCheck',
    'verification',
    'verifier',
  ],
  /** F003. `opinions`: Opinion[]. */
  'opinion-record': ['batch', 'businessKey', 'opinions', 'project', 'recordedBy', 'renderedAt', 'serviceCenter'],
} as const satisfies Record<string, readonly string[]>;

export type SurveyTemplateName = keyof typeof SURVEY_TEMPLATE_FIELDS;

/** `validity` in the statistics and analysis templates. */
export interface RoundValidity {
  readonly valid: boolean;
  /** Ratio, e.g. 0.85. */
  readonly threshold: number;
  readonly comparison?: 'exceeds' | 'reaches';
}

/** A common issue (共性问题) the supervisor marked, with its measures (analysis report). */
export interface CommonIssue {
  readonly title: string;
  readonly description?: string;
  /** Households that raised it (CommentGroup.commenters). */
  readonly commenters?: number;
  /** 纠正和预防措施. */
  readonly measures?: string;
  readonly responsiblePerson?: string;
  /** `YYYY-MM-DD`. */
  readonly deadline?: string;
}

/** One reply of the open letter: "关于{issue}。{reply}". */
export interface NoticeReply {
  /** Written to follow 关于, e.g. 小区内缺少休闲健身设施. */
  readonly issue: string;
  readonly reply: string;
}

/** `verification` of the corrective-action notice, filled as the correction is tracked. */
export interface CorrectionVerification {
  readonly result?: string;
  readonly passed?: boolean;
  readonly verifiedAt?: string;
  /** How owners were told: an explanation or a return visit (000 4.7.1.b). */
  readonly feedback?: 'explained' | 'returnVisit';
  readonly feedbackNote?: string;
}

/** One row of 《客户意见处理表》 (F003). */
export interface Opinion {
  readonly commentId?: string;
  readonly room: string;
  readonly ownerName?: string;
  readonly contact?: string;
  readonly content: string;
  /** `common` for a 共性问题, `general` for an individual opinion (一般性意见, 000 4.7.2). */
  readonly kind: 'common' | 'general';
  readonly department?: string;
  readonly handling?: string;
  readonly result?: string;
  readonly returnVisit?: { readonly at?: string; readonly satisfied?: boolean; readonly comment?: string };
}

/**
 * The F003 rows for a round's written comments, before any handling is recorded: each comment
 * with the household's room, owner and phone from the roster (when the form is tied to a
 * household), marked `common` when its id is among `commonCommentIds` (the comments of the
 * groups the supervisor marked as 共性问题).
 */
export function opinionsFromComments({
  comments,
  households = [],
  commonCommentIds = new Set(),
}: {
  comments: readonly SurveyComment[];
  households?: readonly Household[];
  commonCommentIds?: ReadonlySet<string>;
}): Opinion[] {
  const byId = new Map(households.map((h) => [h.id, h]));
  return comments.map((c) => {
    const h = c.householdId ? byId.get(c.householdId) : undefined;
    const room = h ? [h.building, h.unit ? `${h.unit}单元` : '', h.room].filter(Boolean).join(' ') : (c.householdId ?? '');
    return {
      commentId: c.id,
      room,
      ...(h ? { ownerName: h.ownerName } : {}),
      ...(h?.phone ? { contact: h.phone } : {}),
      content: c.text,
      kind: commonCommentIds.has(c.id) ? 'common' : 'general',
    };
  });
}
