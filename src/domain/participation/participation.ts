/**
 * Which stages of a project/phase are surveyed and which are assessed (参与调研 / 参与考核判定,
 * 002 §2.1–2.2), decided by the rule table in `definitions/rules/participation.yaml`, and whether
 * a survey round may start for a stage.
 *
 * Pure functions: no I/O, no clock. Evaluation order (also documented in the YAML header):
 *
 * 1. Survey, for each stage: of the rows with `survey:` that list the stage and whose `when`
 *    holds, any `exclude` wins (the stage is not surveyed; the reason names every excluding row);
 *    otherwise any `include` surveys it (naming every including row); otherwise the survey
 *    fallback decides "not surveyed". Row order in the file does not matter.
 * 2. Assessment, stage by stage in life-cycle order (准1 … 老业主), the same way with the rows
 *    that have `assess:`. These rows may also test `stageSurveyed` (the survey decision of the
 *    stage being decided) and `anyStageAssessed` (the assessment of earlier stages, already
 *    decided), which is how "此项目/分期准业主阶段参与考核" is written.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import { didYouMean, quoteList } from '../../definitions/did-you-mean.util';
import { isCalendarDate, shiftDate } from './month-date.util';
import {
  ROLE_LEVELS,
  STAGE_GROUPS,
  STAGES,
  type Condition,
  type DateOperand,
  type Effect,
  type FactField,
  type ParticipationDecision,
  type ParticipationOverride,
  type ParticipationRule,
  type ParticipationRules,
  type ProjectFacts,
  type RoundCheck,
  type Stage,
  type StageReason,
} from './participation.types';
import { isRecord, deepFreeze } from '../../common/objects.util';

export { loadParticipationRules } from './participation-rules';

/** One problem with the project facts given to the rules, as a JSON path and a message. */
export interface ProjectFactsProblem {
  readonly path: string;
  readonly message: string;
}

const ROLE_KEYS = ['lead', 'sales', 'delivery', 'afterDelivery', 'property'] as const;

/**
 * Checks project facts against what the table needs: a known product type, booleans, role
 * levels, and real dates for an acquisition. Returns every problem; empty when usable.
 */
export function projectFactsProblems({ rules, project }: { rules: ParticipationRules; project: unknown }): ProjectFactsProblem[] {
  const out: ProjectFactsProblem[] = [];
  if (!isRecord(project)) return [{ path: '$', message: 'project facts must be an object with productType, brand, completedHomeSale and roles' }];
  const p = project;
  if (typeof p.productType !== 'string') out.push({ path: '$.productType', message: `productType is required, one of ${quoteList(rules.productTypes)}` });
  else if (!rules.productTypes.includes(p.productType)) {
    out.push({
      path: '$.productType',
      message: `unknown product type '${p.productType}'.${didYouMean(p.productType, rules.productTypes)} Known: ${quoteList(rules.productTypes)}`,
    });
  }
  for (const key of ['brand', 'completedHomeSale'] as const) {
    if (typeof p[key] !== 'boolean') out.push({ path: `$.${key}`, message: `${key} must be true or false` });
  }
  if (!isRecord(p.roles)) out.push({ path: '$.roles', message: `roles must be an object with ${ROLE_KEYS.join(', ')}` });
  else {
    const roles = p.roles;
    if (typeof roles.lead !== 'boolean') out.push({ path: '$.roles.lead', message: 'roles.lead (我司指派项目主管负责人) must be true or false' });
    for (const key of ROLE_KEYS.slice(1)) {
      const v = roles[key];
      if (typeof v !== 'string' || !(ROLE_LEVELS as readonly string[]).includes(v)) {
        out.push({
          path: `$.roles.${key}`,
          message: `roles.${key} must be one of ${quoteList(ROLE_LEVELS)}.${typeof v === 'string' ? didYouMean(v, ROLE_LEVELS) : ''}`.replace(/\.$/, ''),
        });
      }
    }
    for (const key of Object.keys(roles)) {
      if (!(ROLE_KEYS as readonly string[]).includes(key))
        out.push({ path: `$.roles.${key}`, message: `unknown role '${key}'.${didYouMean(key, ROLE_KEYS)} Roles: ${ROLE_KEYS.join(', ')}` });
    }
  }
  if (p.acquisition !== undefined && p.acquisition !== null) {
    if (!isRecord(p.acquisition)) out.push({ path: '$.acquisition', message: 'acquisition must be { closingDate, contractualDeliveryDate } or absent' });
    else {
      for (const key of ['closingDate', 'contractualDeliveryDate'] as const) {
        if (!isCalendarDate({ value: p.acquisition[key] })) {
          out.push({ path: `$.acquisition.${key}`, message: `acquisition.${key} must be a calendar date YYYY-MM-DD (an acquired project needs both dates)` });
        }
      }
    }
  }
  return out;
}

/**
 * Decides, for each stage, whether the project/phase is surveyed and assessed, and which rules
 * decided it. Throws `ParticipationFactsInvalid` when the facts are unusable.
 */
export function decideParticipation({ rules, project }: { rules: ParticipationRules; project: ProjectFacts }): ParticipationDecision {
  const problems = projectFactsProblems({ rules, project });
  if (problems.length) {
    throw new AppError(
      ErrorCode.ParticipationFactsInvalid,
      `the project facts${project?.name ? ` of ${project.name}` : ''} cannot be judged:\n${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`,
      { errors: problems },
    );
  }
  const titleOf = new Map<string, string>([
    [rules.fallback.survey.id, rules.fallback.survey.title],
    [rules.fallback.assess.id, rules.fallback.assess.title],
    ...rules.rules.map((r) => [r.id, r.title] as [string, string]),
  ]);

  const survey = new Map<Stage, { on: boolean; ruleIds: string[] }>();
  for (const stage of STAGES) {
    survey.set(
      stage,
      settle(rules.rules, 'survey', stage, rules.fallback.survey.id, (c) => holds(c, project, { stage, survey, assessed: new Set() })),
    );
  }
  const assessed = new Set<Stage>();
  const assess = new Map<Stage, { on: boolean; ruleIds: string[] }>();
  for (const stage of STAGES) {
    const d = settle(rules.rules, 'assess', stage, rules.fallback.assess.id, (c) => holds(c, project, { stage, survey, assessed }));
    assess.set(stage, d);
    if (d.on) assessed.add(stage);
  }

  const reasons: StageReason[] = STAGES.map((stage) => {
    const s = survey.get(stage)!;
    const a = assess.get(stage)!;
    const ruleIds = [...new Set([...s.ruleIds, ...a.ruleIds])];
    return {
      stage,
      surveyed: s.on,
      assessed: a.on,
      ruleIds,
      titles: ruleIds.map((id) => titleOf.get(id)!),
      surveyRuleIds: s.ruleIds,
      assessRuleIds: a.ruleIds,
    };
  });
  return deepFreeze({
    surveyed: STAGES.filter((s) => survey.get(s)!.on),
    assessed: STAGES.filter((s) => assessed.has(s)),
    reasons,
  });
}

/**
 * Whether a survey round may start for `stage` of the project/phase. Refused when the table does
 * not survey the stage, naming the excluding rule(s). An `override` (a group CR decision for a
 * special case) turns a refusal into an allowance, or sets whether the round is assessed; the
 * result then carries the override and the rules it set aside, which the caller must audit.
 * That `override.by` may decide (the group CR role) is the caller's check.
 */
export function checkRoundAllowed({
  rules,
  project,
  stage,
  override,
}: {
  rules: ParticipationRules;
  project: ProjectFacts;
  stage: string;
  override?: ParticipationOverride;
}): RoundCheck {
  const s = stageOrThrow(stage);
  if (override !== undefined) assertOverride(override);
  const decision = decideParticipation({ rules, project });
  const reason = decision.reasons.find((r) => r.stage === s)!;
  const titleOf = (ids: readonly string[]): string[] => ids.map((id) => reason.titles[reason.ruleIds.indexOf(id)]);

  if (!reason.surveyed && override === undefined) {
    const ids = reason.surveyRuleIds;
    const named = ids.map((id) => `rule ${id}: ${titleOf([id])[0]}`).join('; ');
    return deepFreeze({
      allowed: false,
      stage: s,
      ruleIds: ids,
      titles: titleOf(ids),
      message: `stage ${s} of ${project.name ?? 'this project/phase'} is not surveyed (${named}). A special case needs a decision of the group CR department (集团客户关系部) as an override`,
      userMessage: `按参与调研规则，${project.name ?? '该项目/分期'}的${s}阶段不参加满意度调研（${ids.map((id) => `规则 ${id}：${titleOf([id])[0]}`).join('；')}）。如属特殊情况，须由集团客户关系部作出特殊情况判定后，再提交调研计划。`,
    });
  }
  const assessed = override?.assess ?? reason.assessed;
  const changed = !reason.surveyed || assessed !== reason.assessed;
  if (!changed || override === undefined) {
    return deepFreeze({ allowed: true, stage: s, assessed, ruleIds: reason.ruleIds, titles: reason.titles });
  }
  const overriddenRuleIds = [...(!reason.surveyed ? reason.surveyRuleIds : []), ...(assessed !== reason.assessed ? reason.assessRuleIds : [])];
  const unique = [...new Set(overriddenRuleIds)];
  return deepFreeze({
    allowed: true,
    stage: s,
    assessed,
    ruleIds: reason.ruleIds,
    titles: reason.titles,
    override: {
      by: override.by,
      reason: override.reason,
      ...(override.assess !== undefined ? { assess: override.assess } : {}),
      tableSurveyed: reason.surveyed,
      tableAssessed: reason.assessed,
      overriddenRuleIds: unique,
      overriddenTitles: titleOf(unique),
    },
  });
}

/**
 * `checkRoundAllowed`, throwing `StageNotParticipating` (with the rule ids in details) on a
 * refusal; for callers that start rounds.
 */
export function assertRoundAllowed(args: Parameters<typeof checkRoundAllowed>[0]): Extract<RoundCheck, { allowed: true }> {
  const result = checkRoundAllowed(args);
  if (!result.allowed) {
    throw new AppError(
      ErrorCode.StageNotParticipating,
      result.message,
      { stage: result.stage, ruleIds: result.ruleIds, titles: result.titles },
      { userMessage: result.userMessage },
    );
  }
  return result;
}

/** Settles one stage for one aspect: exclusions win, then inclusions, then the fallback. */
function settle(
  rows: readonly ParticipationRule[],
  aspect: 'survey' | 'assess',
  stage: Stage,
  fallbackId: string,
  matches: (c: Condition) => boolean,
): { on: boolean; ruleIds: string[] } {
  const hits: Record<Effect, string[]> = { include: [], exclude: [] };
  for (const row of rows) {
    const effect = row[aspect];
    if (effect === undefined || !row.stages.includes(stage) || !matches(row.when)) continue;
    hits[effect].push(row.id);
  }
  if (hits.exclude.length) return { on: false, ruleIds: hits.exclude };
  if (hits.include.length) return { on: true, ruleIds: hits.include };
  return { on: false, ruleIds: [fallbackId] };
}

interface EvalState {
  readonly stage: Stage;
  readonly survey: ReadonlyMap<Stage, { on: boolean }>;
  readonly assessed: ReadonlySet<Stage>;
}

function holds(c: Condition, project: ProjectFacts, st: EvalState): boolean {
  switch (c.kind) {
    case 'all':
      return c.of.every((x) => holds(x, project, st));
    case 'any':
      return c.of.some((x) => holds(x, project, st));
    case 'is':
      return factOf(project, c.field) === c.value;
    case 'in':
      return c.values.includes(factOf(project, c.field) as string) !== c.negate;
    case 'date': {
      const left = factOf(project, c.field);
      const right = operandOf(project, c.operand);
      // A missing date (no acquisition) makes the comparison false, never an error.
      if (typeof left !== 'string' || right === undefined) return false;
      switch (c.op) {
        case 'before':
          return left < right;
        case 'onOrBefore':
          return left <= right;
        case 'after':
          return left > right;
        case 'onOrAfter':
          return left >= right;
      }
      return false;
    }
    case 'stageSurveyed':
      return (st.survey.get(st.stage)?.on ?? false) === c.value;
    case 'anyStageAssessed':
      return c.stages.some((s) => st.assessed.has(s));
  }
}

function operandOf(project: ProjectFacts, o: DateOperand): string | undefined {
  if (o.kind === 'literal') return o.date;
  const base = factOf(project, o.field);
  return typeof base === 'string' ? shiftDate({ date: base, months: o.months, days: o.days }) : undefined;
}

function factOf(project: ProjectFacts, field: FactField): string | boolean | undefined {
  switch (field) {
    case 'productType':
      return project.productType;
    case 'brand':
      return project.brand;
    case 'completedHomeSale':
      return project.completedHomeSale;
    case 'acquired':
      return project.acquisition != null;
    case 'roles.lead':
      return project.roles.lead;
    case 'roles.sales':
      return project.roles.sales;
    case 'roles.delivery':
      return project.roles.delivery;
    case 'roles.afterDelivery':
      return project.roles.afterDelivery;
    case 'roles.property':
      return project.roles.property;
    case 'acquisition.closingDate':
      return project.acquisition?.closingDate;
    case 'acquisition.contractualDeliveryDate':
      return project.acquisition?.contractualDeliveryDate;
  }
}

function stageOrThrow(stage: string): Stage {
  if ((STAGES as readonly string[]).includes(stage)) return stage as Stage;
  const group = STAGE_GROUPS[stage];
  const hint = group ? ` '${stage}' is a group: name one of its stages, ${quoteList(group)}.` : didYouMean(stage, STAGES);
  throw new AppError(ErrorCode.BadRequest, `'${stage}' is not a survey stage.${hint} Stages: ${quoteList(STAGES)}`);
}

function assertOverride(o: ParticipationOverride): void {
  const blank = (v: unknown): boolean => typeof v !== 'string' || v.trim() === '';
  if (blank(o.by) || blank(o.reason)) {
    throw new AppError(ErrorCode.BadRequest, 'an override needs who decided it (by) and why (reason): the decision is audited');
  }
  if (o.assess !== undefined && typeof o.assess !== 'boolean') throw new AppError(ErrorCode.BadRequest, 'override.assess must be true or false');
}
