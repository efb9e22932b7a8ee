/**
 * The analysis of a round, 《客户意见调查分析报告》 (000 4.6, 003 四.(六).1, DOMAIN.md §1.8):
 * the item with the lowest satisfaction rate, the item with the highest dissatisfaction rate,
 * the items whose satisfaction fell compared with the previous round, and the written comments
 * grouped by the item they mention, ready for the CS supervisor to mark the common issues
 * (共性问题) that get corrective actions.
 *
 * Pure: works on `SurveyStatistics` (see statistics.ts). Which round is "previous" (same project
 * and stage) is the caller's choice.
 */
import type { Questionnaire } from './questionnaire';
import type { ItemStatistics, SurveyComment, SurveyStatistics } from './statistics';

export interface ItemRef {
  readonly key: string;
  readonly label: string;
}

/** The items sharing an extreme rate (ties are all listed, in questionnaire order). */
export interface ExtremeItems {
  readonly rate: number;
  readonly items: ItemRef[];
}

export interface ItemChange extends ItemRef {
  readonly previous: number;
  readonly current: number;
  /** current − previous (negative when it fell). */
  readonly change: number;
}

export interface GroupedComment extends SurveyComment {
  /** The keywords of the group's item found in the text (empty in the 其他 group). */
  readonly keywords: string[];
}

export interface CommentGroup {
  /** Item key, or `other` for comments that mention no item. */
  readonly key: string;
  readonly label: string;
  readonly comments: GroupedComment[];
  /** Distinct households (or forms, when the household is unknown) that wrote about it. */
  readonly commenters: number;
  /** Enough commenters to be proposed as a common issue (共性问题); the supervisor decides. */
  readonly commonIssueCandidate: boolean;
}

export interface RoundAnalysis {
  readonly overall: { readonly current: number | null; readonly previous: number | null; readonly change: number | null };
  /** 满意等级比率最低的服务项目 (003 四.(六).1.a); null when no item was rated. */
  readonly lowestSatisfaction: ExtremeItems | null;
  /** 不满意等级比率最高的服务项目 (003 四.(六).1.b); null when nobody gave a dissatisfied rating. */
  readonly highestDissatisfaction: ExtremeItems | null;
  /** 与前一次调查结果比较满意度降低的服务项目 (003 四.(六).1.e), biggest drop first. */
  readonly fell: ItemChange[];
  /** Items whose satisfaction rose, biggest rise first (for the report's comparison table). */
  readonly rose: ItemChange[];
  /** Every written comment, grouped by the item it mentions; the 其他 group comes last. */
  readonly commentGroups: CommentGroup[];
}

/** Distinct commenters from which a comment group is proposed as a common issue. */
export const DEFAULT_COMMON_ISSUE_MINIMUM = 2;

/**
 * Analyses a round, optionally against the previous round of the same project and stage.
 *
 * - Dissatisfaction uses the dissatisfied levels of the scale (`dissatisfiedLevelKeys`: by default
 *   the levels below the middle, so 不满意 and 非常不满意 but not the neutral 一般).
 * - Rates are compared exactly (by cross-multiplying the counts), so two items with 3/4 and 6/8
 *   tie and a drop is never an artefact of floating point.
 * - Items are matched with the previous round by key; an item new this round, or rated by nobody
 *   in either round, is not compared.
 * - Comments are tied to items by the item's `keywords` from the questionnaire (or, without a
 *   questionnaire, by the parts of the item label: 清洁与垃圾 → 清洁, 垃圾). A comment can belong
 *   to several items; one mentioning none goes to 其他.
 */
export function analyseRound({
  current,
  previous,
  questionnaire,
  commonIssueMinimum = DEFAULT_COMMON_ISSUE_MINIMUM,
}: {
  current: SurveyStatistics;
  previous?: SurveyStatistics;
  questionnaire?: Questionnaire;
  commonIssueMinimum?: number;
}): RoundAnalysis {
  const rated = current.items.filter((i) => i.ratings > 0);
  const lowest = extreme(rated, (i) => [i.satisfied, i.ratings], 'min');
  const highest = extreme(
    rated.filter((i) => i.dissatisfied > 0),
    (i) => [i.dissatisfied, i.ratings],
    'max',
  );

  const fell: ItemChange[] = [];
  const rose: ItemChange[] = [];
  if (previous) {
    for (const item of rated) {
      const before = previous.items.find((p) => p.key === item.key && p.ratings > 0);
      if (!before) continue;
      const order = compareRates([item.satisfied, item.ratings], [before.satisfied, before.ratings]);
      const change: ItemChange = {
        key: item.key,
        label: item.label,
        previous: before.satisfied / before.ratings,
        current: item.satisfied / item.ratings,
        change: item.satisfied / item.ratings - before.satisfied / before.ratings,
      };
      if (order < 0) fell.push(change);
      else if (order > 0) rose.push(change);
    }
  }
  fell.sort((a, b) => a.change - b.change);
  rose.sort((a, b) => b.change - a.change);

  const overallPrevious = previous?.overallSatisfaction ?? null;
  return {
    overall: {
      current: current.overallSatisfaction,
      previous: overallPrevious,
      change: current.overallSatisfaction !== null && overallPrevious !== null ? current.overallSatisfaction - overallPrevious : null,
    },
    lowestSatisfaction: lowest,
    highestDissatisfaction: highest,
    fell,
    rose,
    commentGroups: groupComments({ statistics: current, questionnaire, commonIssueMinimum }),
  };
}

/**
 * Groups the written comments of a round by the service item they mention (see `analyseRound`),
 * largest group first; comments mentioning no item form the last group, 其他.
 */
export function groupComments({
  statistics,
  questionnaire,
  commonIssueMinimum = DEFAULT_COMMON_ISSUE_MINIMUM,
}: {
  statistics: SurveyStatistics;
  questionnaire?: Questionnaire;
  commonIssueMinimum?: number;
}): CommentGroup[] {
  const keywordsOf = (item: ItemRef): string[] => {
    const configured = questionnaire?.items.find((i) => i.key === item.key)?.keywords;
    return configured?.length
      ? [...configured]
      : item.label
          .split(/[与和及、/]/)
          .map((s) => s.trim())
          .filter(Boolean);
  };
  const groups = statistics.items.map((item, order) => ({ item, order, keywords: keywordsOf(item), comments: [] as GroupedComment[] }));
  const other: GroupedComment[] = [];
  for (const comment of statistics.comments) {
    let matched = false;
    for (const g of groups) {
      const found = g.keywords.filter((k) => comment.text.includes(k));
      if (found.length) {
        g.comments.push({ ...comment, keywords: found });
        matched = true;
      }
    }
    if (!matched) other.push({ ...comment, keywords: [] });
  }
  const toGroup = (key: string, label: string, comments: GroupedComment[], canBeCommon: boolean): CommentGroup => {
    const commenters = new Set(comments.map((c) => c.householdId ?? `form ${c.form}`)).size;
    return { key, label, comments, commenters, commonIssueCandidate: canBeCommon && commenters >= commonIssueMinimum };
  };
  const byItem = groups
    .filter((g) => g.comments.length > 0)
    .sort((a, b) => b.comments.length - a.comments.length || a.order - b.order)
    .map((g) => toGroup(g.item.key, g.item.label, g.comments, true));
  return other.length ? [...byItem, toGroup('other', '其他', other, false)] : byItem;
}

/** Items with the smallest (or largest) rate, compared exactly; null when there is none. */
function extreme(items: readonly ItemStatistics[], ratio: (i: ItemStatistics) => [number, number], which: 'min' | 'max'): ExtremeItems | null {
  let best: ItemStatistics[] = [];
  for (const item of items) {
    if (best.length === 0) {
      best = [item];
      continue;
    }
    const order = compareRates(ratio(item), ratio(best[0]));
    if (order === 0) best.push(item);
    else if ((which === 'min' && order < 0) || (which === 'max' && order > 0)) best = [item];
  }
  if (best.length === 0) return null;
  const [n, d] = ratio(best[0]);
  return { rate: n / d, items: best.map((i) => ({ key: i.key, label: i.label })) };
}

/** Sign of a/b − c/d for positive denominators, without floating point. */
function compareRates([a, b]: [number, number], [c, d]: [number, number]): number {
  return Math.sign(a * d - c * b);
}
