/**
 * Domain functions the survey round calls with `compute:` (definitions/survey-round.yaml).
 * Every figure is recomputed from the round's own audit trail — the roster import, the issued
 * tokens and each returned form are audited events — never kept as counters, so an auditor can
 * recompute any figure of the notice from the trail alone.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { DomainFunction, DomainStore, StoredInstance } from '../domain-functions';
import { analyseRound, DEFAULT_COMMON_ISSUE_MINIMUM, groupComments } from './analysis';
import { questionnaireProblems, type Questionnaire, type SurveyResponse } from './questionnaire';
import { responseRate, surveyStatistics, type SurveyStatistics } from './statistics';
import { opinionsFromComments } from './survey-documents';
import { maskName } from './survey-round.service';

/** Event names in survey-round.yaml whose payloads carry the figures. */
export const ROUND_EVENTS = { importRoster: 'importRoster', issueTokens: 'issueTokens', recordResponse: 'recordResponse' } as const;

/** The counts of a round as its trail records them. */
export interface RoundTrailFacts {
  readonly households: number;
  readonly issued: number;
  readonly responses: SurveyResponse[];
  readonly online: number;
  readonly paper: number;
}

/** Households (last roster import), issued forms (token issue) and returned forms, in order. */
export function roundFactsFromTrail({ instance }: { instance: Pick<StoredInstance, 'trail'> }): RoundTrailFacts {
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
      responses.push({ householdId: String(p.householdId), ...(answers.ratings ? { ratings: answers.ratings } : {}), ...(answers.comments ? { comments: answers.comments } : {}) });
      if (p.channel === 'paper') paper++;
      else online++;
    }
  }
  return { households, issued, responses, online, paper };
}

async function storedRound(store: DomainStore, instance: { id: string; definition: string }): Promise<{ self: StoredInstance; all: readonly StoredInstance[] }> {
  const all = await store.instancesOf(instance.definition);
  const self = all.find((i) => i.id === instance.id);
  if (!self) throw new AppError(ErrorCode.NotFound, `round ${instance.id} is not stored`);
  return { self, all };
}

function questionnaireArg(args: Readonly<Record<string, unknown>>): Questionnaire {
  const problems = questionnaireProblems({ questionnaire: args.questionnaire });
  if (problems.length) {
    throw new AppError(ErrorCode.QuestionnaireInvalid, `the round's questionnaire is invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { errors: problems });
  }
  return args.questionnaire as Questionnaire;
}

/**
 * `survey.collectionFigures`: at the close of collection, households, issued, returned (online
 * and paper) and the response rate (0 when nothing was issued), for the validity guard.
 */
export const collectionFigures: DomainFunction = async ({ instance, store }) => {
  const { self } = await storedRound(store, instance);
  const facts = roundFactsFromTrail({ instance: self });
  const returned = facts.responses.length;
  return {
    households: facts.households, issued: facts.issued, returned, online: facts.online, paper: facts.paper,
    responseRate: responseRate({ issued: facts.issued, returned }) ?? 0,
  };
};

/** Every F002 figure of a stored round, recomputed from its trail with its questionnaire. */
export function statisticsOfStoredRound({ instance, questionnaire }: { instance: Pick<StoredInstance, 'trail'>; questionnaire: Questionnaire }): SurveyStatistics {
  const facts = roundFactsFromTrail({ instance });
  return surveyStatistics({ questionnaire, households: facts.households, issued: facts.issued, responses: facts.responses });
}

/** `survey.statistics` with `{ questionnaire }`: 《客户意见调查统计表》 F002. */
export const roundStatistics: DomainFunction = async ({ instance, args, store }) => {
  const { self } = await storedRound(store, instance);
  return statisticsOfStoredRound({ instance: self, questionnaire: questionnaireArg(args) });
};

/**
 * The previous round of the same project and stage: the valid round with statistics whose
 * batch comes last before this one's.
 */
export function previousRound({ rounds, current }: { rounds: readonly StoredInstance[]; current: StoredInstance }): StoredInstance | undefined {
  const c = current.context;
  return rounds
    .filter((r) => r.id !== current.id && r.context.project === c.project && r.context.stage === c.stage
      && String(r.context.batch) < String(c.batch) && r.context.statistics !== undefined
      && (r.context.validity as { valid?: boolean } | undefined)?.valid === true)
    .sort((a, b) => (String(a.context.batch) < String(b.context.batch) ? 1 : -1))[0];
}

/**
 * `survey.analysis` with `{ questionnaire, commonIssueMinimum? }`: the analysis report against
 * the previous round of the same project and stage (both recomputed from their trails), plus
 * `previousRound: { businessKey, batch }` (null when there is none).
 */
export const roundAnalysis: DomainFunction = async ({ instance, args, store }) => {
  const { self, all } = await storedRound(store, instance);
  const questionnaire = questionnaireArg(args);
  const current = statisticsOfStoredRound({ instance: self, questionnaire });
  const before = previousRound({ rounds: all, current: self });
  const previous = before ? statisticsOfStoredRound({ instance: before, questionnaire: before.context.questionnaire as Questionnaire }) : undefined;
  const minimum = typeof args.commonIssueMinimum === 'number' ? args.commonIssueMinimum : DEFAULT_COMMON_ISSUE_MINIMUM;
  return {
    ...analyseRound({ current, previous, questionnaire, commonIssueMinimum: minimum }),
    previousRound: before ? { businessKey: before.businessKey, batch: before.context.batch } : null,
  };
};

/**
 * `survey.opinions` with `{ questionnaire, commonGroups? }`: the rows of 《客户意见处理表》 (F003),
 * one per written comment recomputed from the round's trail, with the household id and room from
 * the roster. The result goes into the audit trail, so the owner's name is masked (王*) and the
 * phone left out (README "Personal data"). Comments of the comment groups named in
 * `commonGroups` (keys of `analysis.commentGroups`, e.g. `elevator`) are marked `common`.
 */
export const roundOpinions: DomainFunction = async ({ instance, args, store }) => {
  const { self } = await storedRound(store, instance);
  const questionnaire = questionnaireArg(args);
  const statistics = statisticsOfStoredRound({ instance: self, questionnaire });
  const common = new Set(Array.isArray(args.commonGroups) ? args.commonGroups.map(String) : []);
  const commonCommentIds = new Set(groupComments({ statistics, questionnaire })
    .filter((g) => common.has(g.key)).flatMap((g) => g.comments.map((c) => c.id)));
  const households = (await store.query<{ household_id: string; building: string; unit: string; room: string; owner_name: string }>(
    'SELECT household_id, building, unit, room, owner_name FROM survey_households WHERE round_id = $1', [instance.id]))
    .map((r) => ({ id: r.household_id, building: r.building, unit: r.unit ?? '', room: r.room, ownerName: r.owner_name, occupied: true }));
  const opinions = opinionsFromComments({ comments: statistics.comments, households, commonCommentIds });
  return opinions.map(({ ownerName, contact: _phone, ...o }, i) => {
    const householdId = statistics.comments[i].householdId;
    return { ...(householdId ? { householdId } : {}), ...o, ...(ownerName ? { ownerName: maskName(ownerName) } : {}) };
  });
};

export const SURVEY_FUNCTIONS: Readonly<Record<string, DomainFunction>> = {
  'survey.collectionFigures': collectionFigures,
  'survey.statistics': roundStatistics,
  'survey.analysis': roundAnalysis,
  'survey.opinions': roundOpinions,
};
