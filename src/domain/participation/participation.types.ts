/**
 * Types of the participation and assessment rule table (参与调研 / 参与考核判定, 002 §2.1–2.2).
 * The table itself is data (`definitions/rules/participation.yaml`); these types are what the
 * loader turns it into and what the decision functions return.
 */

/** The survey stages of a developer's group-level survey, in life-cycle order (002 §2.1). */
export const STAGES = ['准1', '准2', '磨1', '磨2', '稳定期', '老业主'] as const;
export type Stage = (typeof STAGES)[number];

/** Stage groups a rule may name instead of listing stages: 准业主 = 准1+准2, 磨合期 = 磨1+磨2. */
export const STAGE_GROUPS: Readonly<Record<string, readonly Stage[]>> = Object.freeze({
  准业主: Object.freeze(['准1', '准2'] as Stage[]),
  磨合期: Object.freeze(['磨1', '磨2'] as Stage[]),
});

/**
 * How far the company takes part in one kind of work on the project/phase. 002 distinguishes
 * 负责 (`responsible`) from 参与 (`participates`): surveys need 负责或参与, assessment needs 负责.
 */
export const ROLE_LEVELS = ['none', 'participates', 'responsible'] as const;
export type RoleLevel = (typeof ROLE_LEVELS)[number];

/** The company's roles on a project/phase. */
export interface ProjectRoles {
  /** 我司指派项目主管负责人 (the company leads the project, 操盘). */
  readonly lead: boolean;
  /** 销售 / 营销. */
  readonly sales: RoleLevel;
  /** 交付. */
  readonly delivery: RoleLevel;
  /** 交付后服务 (after-delivery service and repairs, 交付后维修). */
  readonly afterDelivery: RoleLevel;
  /** 物业服务. */
  readonly property: RoleLevel;
}

/** An acquired project's (收并购) closing date and the contractual delivery date, `YYYY-MM-DD`. */
export interface Acquisition {
  /** 完成交割 date. */
  readonly closingDate: string;
  /** 合同交付日期 of the project/phase. */
  readonly contractualDeliveryDate: string;
}

/** What the rules look at for one project/phase. */
export interface ProjectFacts {
  /** Shown in messages only, e.g. `翠湖花园 二期`. */
  readonly name?: string;
  /** One of the table's `productTypes`, e.g. `住宅`, `公寓(含居住功能)`, `商铺`. */
  readonly productType: string;
  /** 使用我司品牌. */
  readonly brand: boolean;
  /** 现房销售: sold once the contractual delivery conditions are met (具备合同约定交付条件). */
  readonly completedHomeSale: boolean;
  readonly roles: ProjectRoles;
  /** Present (not null) for an acquired project (收并购), absent otherwise. */
  readonly acquisition?: Acquisition | null;
}

/**
 * The facts a condition may test, by the name used in the YAML. `acquired` is derived: true when
 * the project has an `acquisition`.
 */
export const FACT_FIELDS = {
  productType: 'productType',
  brand: 'boolean',
  completedHomeSale: 'boolean',
  acquired: 'boolean',
  'roles.lead': 'boolean',
  'roles.sales': 'roleLevel',
  'roles.delivery': 'roleLevel',
  'roles.afterDelivery': 'roleLevel',
  'roles.property': 'roleLevel',
  'acquisition.closingDate': 'date',
  'acquisition.contractualDeliveryDate': 'date',
} as const;
export type FactField = keyof typeof FACT_FIELDS;
export type ChoiceField = { [K in FactField]: (typeof FACT_FIELDS)[K] extends 'productType' | 'roleLevel' ? K : never }[FactField];
export type BooleanField = { [K in FactField]: (typeof FACT_FIELDS)[K] extends 'boolean' ? K : never }[FactField];
export type DateField = { [K in FactField]: (typeof FACT_FIELDS)[K] extends 'date' ? K : never }[FactField];

export const DATE_OPERATORS = ['before', 'onOrBefore', 'after', 'onOrAfter'] as const;
export type DateOperator = (typeof DATE_OPERATORS)[number];

/** The other side of a date comparison: a fixed date, or another date fact shifted by months/days. */
export type DateOperand =
  { readonly kind: 'literal'; readonly date: string } | { readonly kind: 'field'; readonly field: DateField; readonly months: number; readonly days: number };

/** A condition after loading (the YAML's `when:` map, normalised). */
export type Condition =
  | { readonly kind: 'all'; readonly of: readonly Condition[] }
  | { readonly kind: 'any'; readonly of: readonly Condition[] }
  | { readonly kind: 'is'; readonly field: BooleanField; readonly value: boolean }
  | { readonly kind: 'in'; readonly field: ChoiceField; readonly values: readonly string[]; readonly negate: boolean }
  | { readonly kind: 'date'; readonly field: DateField; readonly op: DateOperator; readonly operand: DateOperand }
  /** Assessment rows only: whether the stage being decided is surveyed. */
  | { readonly kind: 'stageSurveyed'; readonly value: boolean }
  /** Assessment rows only: whether any of these (earlier) stages is assessed. */
  | { readonly kind: 'anyStageAssessed'; readonly stages: readonly Stage[] };

export type Effect = 'include' | 'exclude';

/** One row of the table. */
export interface ParticipationRule {
  readonly id: string;
  /** Chinese, quoting the source (002). Shown in every reason and refusal. */
  readonly title: string;
  /** Where the row comes from, e.g. `002 2.1(2)`. */
  readonly source?: string;
  readonly when: Condition;
  /** Effect on surveying the `stages`, if any. */
  readonly survey?: Effect;
  /** Effect on assessing the `stages`, if any. */
  readonly assess?: Effect;
  /** The stages the effects apply to, groups expanded, in life-cycle order. */
  readonly stages: readonly Stage[];
  /** 1-based line of the row in the YAML file (for messages). */
  readonly line: number;
}

/** The rule that decides a stage no row includes ("其他情况不参与…"). */
export interface FallbackRule {
  readonly id: string;
  readonly title: string;
  readonly source?: string;
}

/** A loaded, validated, deeply frozen rule table. */
export interface ParticipationRules {
  readonly file: string;
  readonly version: number;
  readonly title: string;
  /** The vocabulary of `ProjectFacts.productType`. */
  readonly productTypes: readonly string[];
  readonly fallback: { readonly survey: FallbackRule; readonly assess: FallbackRule };
  readonly rules: readonly ParticipationRule[];
}

/** Why one stage is (not) surveyed and (not) assessed. */
export interface StageReason {
  readonly stage: Stage;
  readonly surveyed: boolean;
  readonly assessed: boolean;
  /** Every rule that decided this stage: the survey rules, then the assessment rules. */
  readonly ruleIds: readonly string[];
  /** The titles of `ruleIds`, in the same order. */
  readonly titles: readonly string[];
  /** The rules that decided the survey: the excluding rows if any, else the including rows, else the survey fallback. */
  readonly surveyRuleIds: readonly string[];
  /** The same for the assessment. */
  readonly assessRuleIds: readonly string[];
}

export interface ParticipationDecision {
  /** Surveyed stages in life-cycle order. */
  readonly surveyed: readonly Stage[];
  /** Assessed (考核) stages in life-cycle order; always a subset of `surveyed` with the shipped table. */
  readonly assessed: readonly Stage[];
  /** One entry per stage, in life-cycle order. */
  readonly reasons: readonly StageReason[];
}

/** A group CR decision for a special case (002: 其他特殊情况由集团项目管理中心客户关系部审核确定). */
export interface ParticipationOverride {
  /** Who decided (user id or name of the group CR person). */
  readonly by: string;
  /** Why; kept in the audit trail. */
  readonly reason: string;
  /**
   * Whether the round counts for assessment. Omitted: the table's assessment decision stands
   * (a stage the table does not survey is then not assessed).
   */
  readonly assess?: boolean;
}

/** A round may start. */
export interface RoundAllowed {
  readonly allowed: true;
  readonly stage: Stage;
  /** Whether the round counts for assessment (after any override). */
  readonly assessed: boolean;
  /** The rules that decided survey and assessment of the stage. */
  readonly ruleIds: readonly string[];
  readonly titles: readonly string[];
  /**
   * Present when an override changed the table's decision: the caller must audit it. Absent
   * when the table allowed the round as asked (an unneeded override is not recorded).
   */
  readonly override?: ParticipationOverride & {
    /** The table's decision that was set aside. */
    readonly tableSurveyed: boolean;
    readonly tableAssessed: boolean;
    /** The rules whose decision was set aside. */
    readonly overriddenRuleIds: readonly string[];
    readonly overriddenTitles: readonly string[];
  };
}

/** A round may not start: the table does not survey the stage. */
export interface RoundRefused {
  readonly allowed: false;
  readonly stage: Stage;
  /** The rules that excluded the stage (or the survey fallback when no row included it). */
  readonly ruleIds: readonly string[];
  readonly titles: readonly string[];
  /** A sentence naming the project, the stage and each rule with its title (English, for developers). */
  readonly message: string;
  /** The same for people (Chinese): what the table says and who may decide a special case. */
  readonly userMessage: string;
}

export type RoundCheck = RoundAllowed | RoundRefused;
