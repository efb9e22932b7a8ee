/**
 * The yearly coverage rule of 002 4.1: 每年调查的顾客不少于客户总量的40% — the customers a
 * project surveys across its rounds of one year, against all its customers. Pure: the caller
 * gathers the households already surveyed this year and the size of the latest roster.
 */

export interface YearCoverageInput {
  /** The year, `2026`. */
  readonly year: string;
  /** All customers of the project (the households of its latest roster); null when no roster is known yet. */
  readonly customers: number | null;
  /** Distinct households sampled by the project's other rounds of the year. */
  readonly surveyedBefore: number;
  /** Households this round plans to survey. */
  readonly planned: number;
  /** The minimum share per year (0.4). */
  readonly minimum: number;
  /** Whether this round is the year's last chance (a shortfall then decides, see the rule's `decideFromMonth`). */
  readonly decisive: boolean;
  /** Business keys of the rounds counted in `surveyedBefore`. */
  readonly rounds: readonly string[];
}

export interface YearCoverage extends YearCoverageInput {
  readonly covered: number;
  /** covered / customers, rounded to 4 decimals; null when the customers are not known. */
  readonly share: number | null;
  /** True when the share is known and below the minimum. */
  readonly shortfall: boolean;
  /** Households still missing to reach the minimum (0 when met or unknown). */
  readonly missing: number;
  /** What the plan shows, in Chinese. */
  readonly message: string;
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const wholePercent = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** Coverage of the year if this round surveys what it plans. */
export function yearCoverage(input: YearCoverageInput): YearCoverage {
  const covered = input.surveyedBefore + input.planned;
  const rule = `每年至少 ${wholePercent(input.minimum)} 的要求（002 4.1）`;
  if (input.customers === null || input.customers <= 0) {
    return {
      ...input,
      covered,
      share: null,
      shortfall: false,
      missing: 0,
      message: `尚无该项目的业主名单，无法计算本年度调查覆盖率；导入名单后，以后各批次的计划将按${rule}核对`,
    };
  }
  const share = Math.round((covered / input.customers) * 10_000) / 10_000;
  const needed = Math.ceil(input.minimum * input.customers - 1e-9);
  const missing = Math.max(0, needed - covered);
  const shortfall = missing > 0;
  const facts = `本年度调查覆盖率 ${percent(covered / input.customers)}（已调查 ${input.surveyedBefore} 户，本次计划 ${input.planned} 户，客户总数 ${input.customers} 户）`;
  return {
    ...input,
    covered,
    share,
    shortfall,
    missing,
    message: shortfall ? `${facts}，低于${rule}，尚差 ${missing} 户` : `${facts}，达到${rule}`,
  };
}
