/**
 * `survey.yearCoverage`: the yearly coverage rule of 002 4.1 (每年调查的顾客不少于客户总量的40%)
 * for the plan of a round, across the project's rounds of the same year: the distinct
 * households they sampled, plus what this round plans, against all customers of the project
 * (the households of its latest roster). The figures go into the plan (`plan.coverage`), so the
 * manager approving it and the plan document see them.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { DomainFunction, StoredInstance } from '../../engine/domain-functions';
import { yearCoverage } from '../../domain/survey/year-coverage';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The latest round of the project with a roster: the one whose batch comes last (then the newest). */
function latestRosterRound(rounds: readonly StoredInstance[]): StoredInstance | undefined {
  return rounds
    .filter((r) => r.context.roster !== undefined)
    .sort((a, b) => text(a.context.batch).localeCompare(text(b.context.batch)) || a.createdAt.localeCompare(b.createdAt))
    .at(-1);
}

/**
 * With `{ project, batch, sampleSize?, minimumSampleShare?, minimum?, decideFromMonth?, definition? }`:
 * `{ year, customers, surveyedBefore, planned, covered, share, minimum, shortfall, missing,
 * decisive, rounds, message }`. Without a sample size the plan counts the minimum sample
 * (minimumSampleShare of the occupied households of the latest roster).
 */
export const surveyYearCoverage: DomainFunction = async ({ instance, args, store }) => {
  const project = text(args.project);
  const batch = text(args.batch);
  if (!/^\d{4}-\d{2}$/.test(batch)) throw new AppError(ErrorCode.BadRequest, `survey.yearCoverage: batch '${batch}' is not YYYY-MM`);
  const year = batch.slice(0, 4);
  const all = (await store.instancesOf(text(args.definition) || instance.definition)).filter((r) => r.context.project === project);
  const earlier = all.filter((r) => r.id !== instance.id && text(r.context.batch).startsWith(`${year}-`) && r.context.sample !== undefined);
  const ids = earlier.map((r) => r.id);
  const [surveyed] = ids.length
    ? await store.query<{ n: number | string }>(
        `SELECT COUNT(DISTINCT household_id) AS n FROM survey_households WHERE sampled_seq IS NOT NULL AND round_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
        ids,
      )
    : [{ n: 0 }];
  const latest = latestRosterRound(all);
  const [roster] = latest
    ? await store.query<{ households: number | string; occupied: number | string | null }>(
        'SELECT COUNT(*) AS households, SUM(occupied) AS occupied FROM survey_households WHERE round_id = $1',
        [latest.id],
      )
    : [];
  const customers = roster ? Number(roster.households) : null;
  const sampleSize = num(args.sampleSize, 0);
  const planned = sampleSize > 0 ? sampleSize : roster ? Math.ceil(num(args.minimumSampleShare, 0.2) * Number(roster.occupied ?? 0)) : 0;
  return yearCoverage({
    year,
    customers,
    surveyedBefore: Number(surveyed.n),
    planned,
    minimum: num(args.minimum, 0.4),
    decisive: Number(batch.slice(5, 7)) >= num(args.decideFromMonth, 1),
    rounds: earlier.map((r) => r.businessKey).sort(),
  });
};
