/**
 * Drawing the households of a round (DOMAIN.md §1.3): random (003 四.(二).1), at least a share
 * of the occupied households (001: 不低于入住业户数20%), avoiding the households sampled last time
 * where possible (001: 抽样对象尽量避免重复), never an excluded household (002 §2.3, approved
 * exclusions only), and reproducible by an auditor from the recorded seed.
 *
 * Pure: the randomness comes only from the seed (pure-rand xoroshiro128+); `newSeed` is the one
 * impure function, kept apart so the caller records the seed before drawing.
 */
import { randomInt } from 'node:crypto';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { AppError, ErrorCode } from '../../common/app-error';
import type { Household } from './roster';

export interface SampleDraw {
  /** Household ids drawn, sorted (code-unit order) so the list reads the same for everyone. */
  readonly sample: string[];
  /** The seed used: record it with the round so the draw can be reproduced. */
  readonly seed: number;
  /** Occupied households that are not excluded: the population drawn from. */
  readonly eligible: number;
  /** max(ceil(minimumShare × eligible), minimumCount). */
  readonly required: number;
  /** Drawn among eligible households not sampled in the previous round. */
  readonly fromFresh: number;
  /** Drawn among households sampled in the previous round, only because the fresh ones ran out. */
  readonly fromPrevious: number;
  /** required − sample size: > 0 only when `minimumCount` exceeds the eligible households. */
  readonly shortfall: number;
}

/** Largest seed + 1: seeds are unsigned 32-bit integers. */
export const SEED_LIMIT = 2 ** 32;

/**
 * A fresh random seed (crypto): an integer in [0, 2³²). The only impure function here; record
 * its value with the round before calling `drawSample`.
 */
export function newSeed(): number {
  return randomInt(0, SEED_LIMIT);
}

/**
 * The number of households a round must sample: `ceil(minimumShare × eligible)`, at least
 * `minimumCount`. The product is rounded to 9 decimals before `ceil` so that binary noise
 * (0.07 × 100 = 7.000000000000001) does not add a household.
 */
export function requiredSampleSize({ eligible, minimumShare, minimumCount = 0 }: { eligible: number; minimumShare: number; minimumCount?: number }): number {
  if (!Number.isInteger(eligible) || eligible < 0) throw new AppError(ErrorCode.BadRequest, `eligible must be a whole number ≥ 0, got ${eligible}`);
  if (!(minimumShare >= 0 && minimumShare <= 1)) {
    throw new AppError(ErrorCode.BadRequest, `minimumShare must be a fraction between 0 and 1 (0.2 for 20%), got ${minimumShare}`);
  }
  if (!Number.isInteger(minimumCount) || minimumCount < 0)
    throw new AppError(ErrorCode.BadRequest, `minimumCount must be a whole number ≥ 0, got ${minimumCount}`);
  return Math.max(Math.ceil(Number((minimumShare * eligible).toFixed(9))), minimumCount);
}

/**
 * Draws the sample for a round.
 *
 * Eligible = occupied households not in `excluded`. The draw takes `required` households (see
 * `requiredSampleSize`), first from the eligible households not in `previouslySampled` ("fresh"),
 * and only when those run out, the rest from the previously sampled ones. Within each group the
 * order is a Fisher–Yates shuffle driven by xoroshiro128+ seeded with `seed`, applied to the ids
 * sorted first, so the same roster, exclusions, previous sample and seed always give the same
 * sample, whatever the order of the roster. When `minimumCount` exceeds the eligible households
 * every eligible household is taken and `shortfall` says how many are missing.
 */
export function drawSample({
  households,
  seed,
  minimumShare,
  minimumCount,
  excluded = new Set(),
  previouslySampled = new Set(),
}: {
  households: readonly Pick<Household, 'id' | 'occupied'>[];
  seed: number;
  minimumShare: number;
  minimumCount?: number;
  excluded?: ReadonlySet<string>;
  previouslySampled?: ReadonlySet<string>;
}): SampleDraw {
  if (!Number.isInteger(seed) || seed < 0 || seed >= SEED_LIMIT) {
    throw new AppError(ErrorCode.BadRequest, `seed must be a whole number in [0, 2^32), got ${seed}`);
  }
  const ids = new Set<string>();
  for (const h of households) {
    if (ids.has(h.id)) throw new AppError(ErrorCode.BadRequest, `household ${h.id} is listed twice in the roster`);
    ids.add(h.id);
  }
  const eligible = households
    .filter((h) => h.occupied && !excluded.has(h.id))
    .map((h) => h.id)
    .sort(byCodeUnit);
  const required = requiredSampleSize({ eligible: eligible.length, minimumShare, minimumCount });
  const fresh = eligible.filter((id) => !previouslySampled.has(id));
  const previous = eligible.filter((id) => previouslySampled.has(id));

  const rng = xoroshiro128plus(seed);
  const fromFresh = shuffledPrefix(fresh, Math.min(required, fresh.length), rng);
  const fromPrevious = shuffledPrefix(previous, Math.min(required - fromFresh.length, previous.length), rng);
  const sample = [...fromFresh, ...fromPrevious].sort(byCodeUnit);
  return {
    sample,
    seed,
    eligible: eligible.length,
    required,
    fromFresh: fromFresh.length,
    fromPrevious: fromPrevious.length,
    shortfall: required - sample.length,
  };
}

/** The first `count` elements of a seeded Fisher–Yates shuffle (partial: only `count` swaps). */
function shuffledPrefix(ids: readonly string[], count: number, rng: ReturnType<typeof xoroshiro128plus>): string[] {
  const a = [...ids];
  for (let i = 0; i < count; i++) {
    const j = unsafeUniformIntDistribution(i, a.length - 1, rng);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, count);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
