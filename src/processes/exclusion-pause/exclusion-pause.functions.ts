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
 * project, batch and stage, whether its roster is frozen, which of the households are already
 * excluded from it (and by which request) or are not on its imported roster, and which remain
 * to exclude (`toExclude`).
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
  const excludedBy = new Map((await repository.exclusionsOf(round.id)).map((e) => [e.householdId, e.requestKey]));
  const roster = new Set(await repository.rosterIds(round.id));
  const notOnRoster = roster.size > 0 ? households.filter((h) => !roster.has(h)) : [];
  return {
    found: true,
    roundKey: round.businessKey,
    roundId: round.id,
    state: round.state,
    frozen: typeof round.context.rosterFrozenAt === 'string',
    alreadyExcluded: households.filter((h) => excludedBy.has(h)),
    /** Each household already excluded, with the request that excluded it. */
    excludedBy: households.filter((h) => excludedBy.has(h)).map((h) => ({ householdId: h, requestKey: excludedBy.get(h) })),
    notOnRoster,
    /** The households an approval now would exclude: named, on the roster, not excluded yet. */
    toExclude: households.filter((h) => !excludedBy.has(h) && !notOnRoster.includes(h)),
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
 * `apply: survey.excludeHouseholds` with `{ households, requestKey, reason }`, in a survey round
 * (the round's `applyExclusion`, sent by exclusion requests of earlier definition versions):
 * records each household not yet excluded in this round as excluded by the request. Idempotent:
 * a household already excluded (by this or another request) is left as it is, never a failure,
 * so a delivery that arrives after the effect was applied cannot fail after the approval.
 */
export const surveyExcludeHouseholds: DomainWriter = async ({ tx, instance, args, seq, now }) => {
  const households = list(args.households);
  if (households.length === 0)
    throw new AppError(ErrorCode.BadRequest, 'an exclusion must name at least one household', undefined, { userMessage: '剔除申请须至少列明一户住户' });
  const repository = new SurveyRoundRepository(tx);
  const already = new Set((await repository.exclusionsAmong(tx, instance.id, households)).map((a) => a.householdId));
  const remaining = households.filter((h) => !already.has(h));
  if (remaining.length === 0) return;
  await repository.insertExclusions(tx, instance.id, {
    householdIds: remaining,
    requestKey: text(args.requestKey),
    reason: text(args.reason),
    seq,
    at: now.toISOString(),
  });
};

/** A refusal of the decision that carries the effect, in the decider's words. */
const refuse = (message: string, details?: Record<string, unknown>) => new AppError(ErrorCode.GuardRejected, message, details, { userMessage: message });

/**
 * `apply: survey.excludeFromRound` with `{ round, households, requestKey, reason, states }`, in
 * the step that approves an exclusion request: excludes the households from the round (by its
 * instance id, as `survey.roundFor` found it) in the approval's own transaction, so the approval
 * and its effect commit together or not at all (DOMAIN.md §7). The round's row is locked for the
 * transaction. Refuses the approval, with the reason, when the round is no longer active, is in
 * none of `states` (e.g. held by a pause), has its roster frozen, or when a household named
 * became excluded since the approval's figures were computed (a concurrent approval: retry).
 * The exclusion rows keep the request's number and its approval's audit entry (`applied_seq`).
 */
export const surveyExcludeFromRound: DomainWriter = async ({ tx, args, seq, now }) => {
  const households = list(args.households);
  const roundId = text(args.round);
  if (households.length === 0) throw refuse('剔除申请须至少列明一户住户');
  const repository = new SurveyRoundRepository(tx);
  const round = roundId ? await repository.roundForUpdate(tx, roundId) : undefined;
  if (!round || round.status !== 'active') throw refuse('找不到进行中的调研批次，剔除申请不能生效', { round: roundId });
  const states = list(args.states);
  if (typeof round.context.rosterFrozenAt === 'string') throw refuse('该批次调研名单已冻结，剔除申请不能再生效', { round: roundId });
  if (states.length > 0 && !states.includes(round.state)) {
    throw refuse(round.state === 'held' ? '本批次调研已暂停，剔除申请须在恢复调研后、名单冻结前审批' : '调研批次已进入名单冻结后的环节，剔除申请不能再生效', {
      round: roundId,
      state: round.state,
      states,
    });
  }
  const already = await repository.exclusionsAmong(tx, roundId, households);
  if (already.length > 0) {
    const names = already.map((a) => `${a.householdId}（${a.requestKey}）`).join('、');
    throw new AppError(
      ErrorCode.VersionConflict,
      `households were excluded meanwhile by another request: ${names}; read the request again and retry`,
      undefined,
      {
        userMessage: `以下住户刚被其他剔除申请剔除：${names}，请刷新后重新审批`,
      },
    );
  }
  await repository.insertExclusions(tx, roundId, {
    householdIds: households,
    requestKey: text(args.requestKey),
    reason: text(args.reason),
    seq,
    at: now.toISOString(),
  });
};

export const EXCLUSION_PAUSE_FUNCTIONS: Readonly<Record<string, DomainFunction>> = {
  'survey.roundFor': surveyRoundFor,
  'survey.projectPause': surveyProjectPause,
};

export const EXCLUSION_PAUSE_WRITERS: Readonly<Record<string, DomainWriter>> = {
  'survey.excludeHouseholds': surveyExcludeHouseholds,
  'survey.excludeFromRound': surveyExcludeFromRound,
};
