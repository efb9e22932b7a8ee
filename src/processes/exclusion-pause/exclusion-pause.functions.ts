/**
 * Domain functions and writers behind the exclusion and pause requests (DOMAIN.md §3–§4,
 * definitions/exclusion-request.yaml, pause-request.yaml): finding the round a request is
 * about, the pause state of a project, and writing an approved exclusion into the round (in the
 * round's own audited transition). The rows are the round's, so their SQL is in the survey
 * round's repository.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { DomainFunction, DomainWriter, StoredInstance } from '../../engine/domain-functions';
import { SurveyRoundRepository } from '../survey-round/survey-round.repository';

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x)) : []);

/**
 * `survey.roundFor` with `{ project, batch, stage, households?, definition? }`: the round of that
 * project, batch and stage, whether its roster is frozen, and which of the households are
 * already excluded from it or are not on its imported roster.
 */
export const surveyRoundFor: DomainFunction = async ({ args, store }) => {
  const definition = text(args.definition) || 'survey-round';
  const rounds = (await store.instancesOf(definition)).filter(
    (r) => r.context.project === args.project && r.context.batch === args.batch && r.context.stage === args.stage && r.status === 'active',
  );
  if (rounds.length === 0) return { found: false };
  const round = rounds[0];
  const households = list(args.households);
  const repository = SurveyRoundRepository.inFunction(store);
  const excluded = new Set(await repository.excludedIds(round.id));
  const roster = new Set(await repository.rosterIds(round.id));
  return {
    found: true,
    roundKey: round.businessKey,
    roundId: round.id,
    state: round.state,
    frozen: typeof round.context.rosterFrozenAt === 'string',
    alreadyExcluded: households.filter((h) => excluded.has(h)),
    notOnRoster: roster.size > 0 ? households.filter((h) => !roster.has(h)) : [],
  };
};

/** Pause requests of a project whose pause is in force now (states named in `pausedStates`). */
function activePauses(all: readonly StoredInstance[], project: unknown, pausedStates: readonly string[]) {
  return all.filter((p) => p.status === 'active' && p.context.project === project && pausedStates.includes(p.state));
}

/**
 * `survey.projectPause` with `{ project, definition?, pausedStates? }`: whether surveying of the
 * project/phase is paused now by an approved pause request, and until when.
 */
export const surveyProjectPause: DomainFunction = async ({ args, store }) => {
  const definition = text(args.definition) || 'pause-request';
  const pausedStates = list(args.pausedStates).length ? list(args.pausedStates) : ['paused', 'extensionRequested'];
  const pauses = activePauses(await store.instancesOf(definition), args.project, pausedStates);
  if (pauses.length === 0) return { paused: false };
  // Instants with different offsets do not sort as text: compare them as instants.
  const until = pauses
    .map((p) => text(p.context.endsAt))
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
  return { paused: true, pauseKeys: pauses.map((p) => p.businessKey), until };
};

/**
 * `apply: survey.excludeHouseholds` with `{ households, requestKey, reason }`, in a survey round:
 * records each household as excluded by the request and marks it on the imported roster.
 * Refuses the whole transition when a household is already excluded in this round.
 */
export const surveyExcludeHouseholds: DomainWriter = async ({ tx, instance, args, seq, now }) => {
  const households = list(args.households);
  if (households.length === 0) throw new AppError(ErrorCode.BadRequest, 'an exclusion must name at least one household');
  const requestKey = text(args.requestKey);
  const repository = new SurveyRoundRepository(tx);
  const already = await repository.exclusionsAmong(tx, instance.id, households);
  if (already.length > 0) {
    const refusal = `住户已在本批次剔除，不能重复剔除：${already.map((a) => `${a.householdId}（${a.requestKey}）`).join('、')}`;
    throw new AppError(ErrorCode.AlreadyExists, refusal, undefined, { userMessage: refusal });
  }
  await repository.insertExclusions(tx, instance.id, { householdIds: households, requestKey, reason: text(args.reason), seq, at: now.toISOString() });
};

export const EXCLUSION_PAUSE_FUNCTIONS: Readonly<Record<string, DomainFunction>> = {
  'survey.roundFor': surveyRoundFor,
  'survey.projectPause': surveyProjectPause,
};

export const EXCLUSION_PAUSE_WRITERS: Readonly<Record<string, DomainWriter>> = {
  'survey.excludeHouseholds': surveyExcludeHouseholds,
};
