/**
 * The figures of 《客户意见调查统计表》 (QP-08-15-F002, DOMAIN.md §1.7) as pure functions.
 *
 * Rates are plain ratios in [0, 1] (0.511…, not 51.1): rounding happens only when printed
 * (`percent` helper, `0.0%` in the XLSX), so no figure is rounded twice. A rate whose denominator
 * is 0 is `null` (nothing to divide), never 0 or NaN.
 *
 * Blank answers are not ratings (DOMAIN.md §1.7): a blank never counts in a numerator or a
 * denominator, but a returned form with blanks still counts as returned.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import { dissatisfiedLevelKeys, ratingOf, validateAnswers, type AnswerError, type Questionnaire, type SurveyResponse } from './questionnaire';

/** How many ratings fell on one level, and their share of the ratings counted. */
export interface LevelCount {
  readonly level: string;
  readonly label: string;
  readonly count: number;
  /** count / ratings; null when there is no rating. */
  readonly share: number | null;
}

/** An average on the configured points (004 第四篇: 满意 5, 一般 4, 不满意 0). */
export interface PointsScore {
  /** Ratings that carry points (every non-blank rating). */
  readonly ratings: number;
  readonly totalPoints: number;
  /** totalPoints / ratings. */
  readonly mean: number;
  /** The highest points of the scale (the best level). */
  readonly max: number;
  /** mean / max × 100: the "平均得分" on a 100-point scale (004: 94.4分). */
  readonly score: number;
  /** `score` rounded half up to one decimal, for printing (94.4). */
  readonly displayScore: number;
}

export interface ItemStatistics {
  readonly key: string;
  readonly label: string;
  readonly group?: string;
  /** Non-blank ratings of the item. */
  readonly ratings: number;
  /** Returned forms that left the item blank. */
  readonly blanks: number;
  readonly satisfied: number;
  readonly dissatisfied: number;
  /** satisfied / ratings (003 四.(五)); null when nobody rated the item. */
  readonly satisfaction: number | null;
  /** dissatisfied / ratings (003 四.(六).1.b); null when nobody rated the item. */
  readonly dissatisfaction: number | null;
  readonly distribution: LevelCount[];
  /** null when the scale has no points. */
  readonly points: PointsScore | null;
}

/** A written answer to a free-text question, in the order the forms were returned. */
export interface SurveyComment {
  /** Stable within a round: `<form index>:<question key>`, for marking common issues. */
  readonly id: string;
  /** 0-based position of the form in `responses`. */
  readonly form: number;
  readonly householdId?: string;
  readonly question: string;
  readonly questionLabel: string;
  readonly text: string;
}

export interface SurveyStatistics {
  readonly questionnaire: { readonly key: string; readonly title: string; readonly version: number; readonly formNo?: string };
  /** The scale, best first, for table headers. */
  readonly levels: { readonly key: string; readonly label: string; readonly satisfied: boolean; readonly dissatisfied: boolean; readonly points?: number }[];
  /** Labels of the satisfied levels, for printing the definition (非常满意、满意). */
  readonly satisfiedLevelLabels: string[];
  /** Labels of the dissatisfied levels (不满意、非常不满意). */
  readonly dissatisfiedLevelLabels: string[];
  readonly households: number;
  readonly issued: number;
  readonly issuanceRate: number | null;
  readonly returned: number;
  readonly responseRate: number | null;
  /** Non-blank ratings over all items and forms. */
  readonly ratings: number;
  readonly satisfiedRatings: number;
  readonly dissatisfiedRatings: number;
  /** See `overallSatisfaction`. */
  readonly overallSatisfaction: number | null;
  readonly overallDissatisfaction: number | null;
  readonly distribution: LevelCount[];
  readonly items: ItemStatistics[];
  readonly points: PointsScore | null;
  readonly comments: SurveyComment[];
}

/** 发放率 = forms issued / households (DOMAIN.md §1.7). null when there are no households. */
export function issuanceRate({ issued, households }: { issued: number; households: number }): number | null {
  assertCount('issued', issued);
  assertCount('households', households);
  if (issued > households) throw new AppError(ErrorCode.BadRequest, `issued (${issued}) cannot exceed households (${households}): one form per household`);
  return households === 0 ? null : issued / households;
}

/** 回收率 = forms returned / forms issued. null when no form was issued. */
export function responseRate({ issued, returned }: { issued: number; returned: number }): number | null {
  assertCount('issued', issued);
  assertCount('returned', returned);
  if (returned > issued) throw new AppError(ErrorCode.BadRequest, `returned (${returned}) cannot exceed issued (${issued})`);
  return issued === 0 ? null : returned / issued;
}

/**
 * Whether a round counts (DOMAIN.md §1.6). 003 四.(四) says "回收率超过85%时,此次调查才视为有效":
 * 超过 means *exceeds*, so by default a rate equal to the threshold is NOT valid
 * (`comparison: 'exceeds'`, strictly greater). A company whose rule reads 达到 (reaches) sets
 * `comparison: 'reaches'` (greater or equal). The threshold is a ratio (0.85), tunable per
 * definition. No rate (nothing issued) is never valid.
 */
export function isRoundValid({
  responseRate,
  threshold,
  comparison = 'exceeds',
}: {
  responseRate: number | null;
  threshold: number;
  comparison?: 'exceeds' | 'reaches';
}): boolean {
  if (!(threshold >= 0 && threshold <= 1))
    throw new AppError(ErrorCode.BadRequest, `threshold must be a ratio between 0 and 1 (0.85 for 85%), got ${threshold}`);
  if (responseRate === null) return false;
  return comparison === 'exceeds' ? responseRate > threshold : responseRate >= threshold;
}

/**
 * 分项满意率 per item, in questionnaire order: satisfied ratings of the item / ratings of the
 * item (003 四.(五): 每项服务的满意率=每项服务满意等级数量/服务总评定数量). Blanks are not
 * ratings. `rate` is null for an item nobody rated.
 */
export function itemSatisfaction({ questionnaire, responses }: { questionnaire: Questionnaire; responses: readonly SurveyResponse[] }): {
  key: string;
  label: string;
  ratings: number;
  satisfied: number;
  rate: number | null;
}[] {
  const satisfiedKeys = new Set(questionnaire.scale.levels.filter((l) => l.satisfied).map((l) => l.key));
  return questionnaire.items.map((item) => {
    let ratings = 0;
    let satisfied = 0;
    for (const response of responses) {
      const level = ratingOf({ response, item: item.key });
      if (level === undefined) continue;
      ratings++;
      if (satisfiedKeys.has(level)) satisfied++;
    }
    return { key: item.key, label: item.label, ratings, satisfied, rate: ratings === 0 ? null : satisfied / ratings };
  });
}

/**
 * 总满意率. Definition chosen: satisfied ratings / all ratings, pooled across every item and
 * every returned form — 003's per-item formula applied to the whole form. Blanks count nowhere,
 * so an item many owners left blank weighs less than one everybody rated, and a form with blanks
 * does not drag the rate down. (The alternative, the mean of the item rates, would give an item
 * rated by 10 owners the same weight as one rated by 160.) null when there is no rating.
 *
 * 000 篇3 prints 总满意率 97.2% for 160 returned forms; e.g. 1,380 satisfied of 1,420 ratings
 * (9 items, 20 blanks) gives 97.18% → 97.2%.
 */
export function overallSatisfaction({ questionnaire, responses }: { questionnaire: Questionnaire; responses: readonly SurveyResponse[] }): number | null {
  const perItem = itemSatisfaction({ questionnaire, responses });
  const ratings = perItem.reduce((n, i) => n + i.ratings, 0);
  const satisfied = perItem.reduce((n, i) => n + i.satisfied, 0);
  return ratings === 0 ? null : satisfied / ratings;
}

/**
 * How the ratings spread over the levels (best first): of one item when `item` is given,
 * otherwise pooled over all items (the "各等级的评定数量及…所占比例" of 003 四.(三).2).
 */
export function levelDistribution({
  questionnaire,
  responses,
  item,
}: {
  questionnaire: Questionnaire;
  responses: readonly SurveyResponse[];
  item?: string;
}): LevelCount[] {
  const items = item === undefined ? questionnaire.items.map((i) => i.key) : [knownItem(questionnaire, item)];
  const counts = new Map(questionnaire.scale.levels.map((l) => [l.key, 0]));
  let total = 0;
  for (const response of responses) {
    for (const key of items) {
      const level = ratingOf({ response, item: key });
      if (level === undefined || !counts.has(level)) continue;
      counts.set(level, counts.get(level)! + 1);
      total++;
    }
  }
  return questionnaire.scale.levels.map((l) => ({
    level: l.key,
    label: l.label,
    count: counts.get(l.key)!,
    share: total === 0 ? null : counts.get(l.key)! / total,
  }));
}

/**
 * The average points per rating, of one item or of all items pooled, and that average on a
 * 100-point scale (mean / highest points × 100): 004 第四篇's "满意度平均得分". null when the
 * scale has no points or nobody rated.
 *
 * 004 第四篇 scores 满意 5, 一般 4, 不满意 0 and prints 94.4分 for 12 forms. Its per-pair figures
 * as published (70 ratings, 325 points) give 92.9 on this definition; the published 94.4 is the
 * score of e.g. 50 ratings scoring 236 points (mean 4.72). See the spec.
 */
export function meanPoints({
  questionnaire,
  responses,
  item,
}: {
  questionnaire: Questionnaire;
  responses: readonly SurveyResponse[];
  item?: string;
}): PointsScore | null {
  const levels = questionnaire.scale.levels;
  if (!levels.every((l) => typeof l.points === 'number')) return null;
  const points = new Map(levels.map((l) => [l.key, l.points as number]));
  const max = Math.max(...points.values());
  const items = item === undefined ? questionnaire.items.map((i) => i.key) : [knownItem(questionnaire, item)];
  let ratings = 0;
  let totalPoints = 0;
  for (const response of responses) {
    for (const key of items) {
      const level = ratingOf({ response, item: key });
      if (level === undefined || !points.has(level)) continue;
      ratings++;
      totalPoints += points.get(level)!;
    }
  }
  if (ratings === 0 || max <= 0) return null;
  const mean = totalPoints / ratings;
  const score = (mean / max) * 100;
  return { ratings, totalPoints, mean, max, score, displayScore: Math.round(Number((score * 10).toPrecision(12))) / 10 };
}

/**
 * Every figure of F002 for one round: households, forms issued and 发放率, forms returned
 * (= `responses.length`) and 回收率, 总满意率 and 总不满意率, per-item rates and distributions,
 * points where configured, and the written comments. Throws `PayloadInvalid` (details.errors with
 * JSON paths such as `$[3].ratings.elevator`) when a response does not fit the questionnaire, so
 * no official figure is computed from answers it cannot read.
 */
export function surveyStatistics({
  questionnaire,
  households,
  issued,
  responses,
}: {
  questionnaire: Questionnaire;
  households: number;
  issued: number;
  responses: readonly SurveyResponse[];
}): SurveyStatistics {
  const errors: AnswerError[] = responses.flatMap((answers, i) =>
    validateAnswers({ questionnaire, answers }).map((e) => ({ path: `$[${i}]${e.path.slice(1)}`, message: e.message })),
  );
  if (errors.length) {
    throw new AppError(ErrorCode.PayloadInvalid, `${errors.length} problem(s) in the returned forms, e.g. ${errors[0].path}: ${errors[0].message}`, { errors });
  }
  const returned = responses.length;
  const dissatisfiedKeys = new Set(dissatisfiedLevelKeys({ questionnaire }));
  const satisfiedKeys = new Set(questionnaire.scale.levels.filter((l) => l.satisfied).map((l) => l.key));

  const items: ItemStatistics[] = questionnaire.items.map((item) => {
    const distribution = levelDistribution({ questionnaire, responses, item: item.key });
    const ratings = distribution.reduce((n, d) => n + d.count, 0);
    const satisfied = distribution.filter((d) => satisfiedKeys.has(d.level)).reduce((n, d) => n + d.count, 0);
    const dissatisfied = distribution.filter((d) => dissatisfiedKeys.has(d.level)).reduce((n, d) => n + d.count, 0);
    return {
      key: item.key,
      label: item.label,
      ...(item.group ? { group: item.group } : {}),
      ratings,
      blanks: returned - ratings,
      satisfied,
      dissatisfied,
      satisfaction: ratings === 0 ? null : satisfied / ratings,
      dissatisfaction: ratings === 0 ? null : dissatisfied / ratings,
      distribution,
      points: meanPoints({ questionnaire, responses, item: item.key }),
    };
  });
  const ratings = items.reduce((n, i) => n + i.ratings, 0);
  const satisfiedRatings = items.reduce((n, i) => n + i.satisfied, 0);
  const dissatisfiedRatings = items.reduce((n, i) => n + i.dissatisfied, 0);

  const comments: SurveyComment[] = [];
  responses.forEach((response, form) => {
    for (const question of questionnaire.questions) {
      const text = response.comments?.[question.key];
      if (typeof text !== 'string' || text.trim() === '') continue;
      comments.push({
        id: `${form}:${question.key}`,
        form,
        ...(response.householdId ? { householdId: response.householdId } : {}),
        question: question.key,
        questionLabel: question.label,
        text: text.trim(),
      });
    }
  });

  return {
    questionnaire: {
      key: questionnaire.key,
      title: questionnaire.title,
      version: questionnaire.version,
      ...(questionnaire.formNo ? { formNo: questionnaire.formNo } : {}),
    },
    levels: questionnaire.scale.levels.map((l) => ({
      key: l.key,
      label: l.label,
      satisfied: l.satisfied,
      dissatisfied: dissatisfiedKeys.has(l.key),
      ...(l.points !== undefined ? { points: l.points } : {}),
    })),
    satisfiedLevelLabels: questionnaire.scale.levels.filter((l) => satisfiedKeys.has(l.key)).map((l) => l.label),
    dissatisfiedLevelLabels: questionnaire.scale.levels.filter((l) => dissatisfiedKeys.has(l.key)).map((l) => l.label),
    households,
    issued,
    issuanceRate: issuanceRate({ issued, households }),
    returned,
    responseRate: responseRate({ issued, returned }),
    ratings,
    satisfiedRatings,
    dissatisfiedRatings,
    overallSatisfaction: ratings === 0 ? null : satisfiedRatings / ratings,
    overallDissatisfaction: ratings === 0 ? null : dissatisfiedRatings / ratings,
    distribution: levelDistribution({ questionnaire, responses }),
    items,
    points: meanPoints({ questionnaire, responses }),
    comments,
  };
}

function knownItem(questionnaire: Questionnaire, item: string): string {
  if (!questionnaire.items.some((i) => i.key === item)) {
    throw new AppError(ErrorCode.BadRequest, `unknown item '${item}'; items: ${questionnaire.items.map((i) => i.key).join(', ')}`);
  }
  return item;
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new AppError(ErrorCode.BadRequest, `${name} must be a whole number ≥ 0, got ${value}`);
}
