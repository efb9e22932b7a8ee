/**
 * A survey round's figures as its audit trail records them (DOMAIN.md §1). The roster import,
 * the issued tokens and each returned form are audited events, so every figure of the notice
 * is recomputed from the trail, never kept as a counter. Pure: the stored rounds are passed in.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import { questionnaireProblems, type Questionnaire, type SurveyResponse } from './questionnaire';
import { surveyStatistics, type SurveyStatistics } from './statistics';

/** Event names in survey-round.yaml whose payloads carry the figures. */
export const ROUND_EVENTS = { importRoster: 'importRoster', issueTokens: 'issueTokens', recordResponse: 'recordResponse' } as const;

/** One audit entry of a round, as the engine's records read side hands it (only the fields used here). */
export interface RoundTrailEntry {
  readonly eventType: string;
  readonly payload: unknown;
}

/** A stored round: its data and its audit trail, oldest entry first. */
export interface StoredRound {
  readonly id: string;
  readonly businessKey: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly trail: readonly RoundTrailEntry[];
}

/** The counts of a round as its trail records them. */
export interface RoundTrailFacts {
  readonly households: number;
  readonly issued: number;
  readonly responses: SurveyResponse[];
  readonly online: number;
  readonly paper: number;
}

/** Households (last roster import), issued forms (token issue) and returned forms, in order. */
export function roundFactsFromTrail({ instance }: { instance: Pick<StoredRound, 'trail'> }): RoundTrailFacts {
  let households = 0;
  let issued = 0;
  const responses: SurveyResponse[] = [];
  let online = 0;
  let paper = 0;
  for (const e of instance.trail) {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    if (e.eventType === ROUND_EVENTS.importRoster) households = Number(p.households) - Number(p.excluded ?? 0);
    else if (e.eventType === ROUND_EVENTS.issueTokens) issued = Number(p.issued);
    else if (e.eventType === ROUND_EVENTS.recordResponse) {
      const answers = (p.answers ?? {}) as SurveyResponse;
      responses.push({
        householdId: String(p.householdId),
        ...(answers.ratings ? { ratings: answers.ratings } : {}),
        ...(answers.comments ? { comments: answers.comments } : {}),
      });
      if (p.channel === 'paper') paper++;
      else online++;
    }
  }
  return { households, issued, responses, online, paper };
}

/** Every F002 figure of a stored round, recomputed from its trail with its questionnaire. */
export function statisticsOfStoredRound({ instance, questionnaire }: { instance: Pick<StoredRound, 'trail'>; questionnaire: Questionnaire }): SurveyStatistics {
  const facts = roundFactsFromTrail({ instance });
  return surveyStatistics({ questionnaire, households: facts.households, issued: facts.issued, responses: facts.responses });
}

/**
 * The previous round of the same project and stage: the valid round with statistics whose
 * batch comes last before this one's.
 */
export function previousRound<R extends StoredRound>({ rounds, current }: { rounds: readonly R[]; current: StoredRound }): R | undefined {
  const c = current.context;
  return rounds
    .filter(
      (r) =>
        r.id !== current.id &&
        r.context.project === c.project &&
        r.context.stage === c.stage &&
        String(r.context.batch) < String(c.batch) &&
        r.context.statistics !== undefined &&
        (r.context.validity as { valid?: boolean } | undefined)?.valid === true,
    )
    .sort((a, b) => (String(a.context.batch) < String(b.context.batch) ? 1 : -1))[0];
}

/**
 * The previous round of the same project and stage that drew a sample (any validity): its
 * households are sampled last in this round.
 */
export function previousSampledRound<R extends Pick<StoredRound, 'id' | 'context'>>({
  rounds,
  current,
}: {
  rounds: readonly R[];
  current: Pick<StoredRound, 'id' | 'context'>;
}): R | undefined {
  const c = current.context;
  return rounds
    .filter(
      (r) =>
        r.id !== current.id && r.context.project === c.project && r.context.stage === c.stage && String(r.context.batch) < String(c.batch) && r.context.sample,
    )
    .sort((a, b) => (String(a.context.batch) < String(b.context.batch) ? 1 : -1))[0];
}

/** The questionnaire argument of a `compute:` call, or a refusal naming every problem. */
export function checkedQuestionnaire({ questionnaire }: { questionnaire: unknown }): Questionnaire {
  const problems = questionnaireProblems({ questionnaire });
  if (problems.length) {
    throw new AppError(ErrorCode.QuestionnaireInvalid, `the round's questionnaire is invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
      errors: problems,
    });
  }
  return questionnaire as Questionnaire;
}
