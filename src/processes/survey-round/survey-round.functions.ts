/**
 * Domain functions the survey round calls with `compute:` (definitions/survey-round.yaml).
 * Every figure is recomputed from the round's own audit trail (src/domain/survey/round-trail.ts)
 * — the roster import, the issued tokens and each returned form are audited events — never kept
 * as counters, so an auditor can recompute any figure of the notice from the trail alone.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { DomainFunction, DomainStore, StoredInstance } from '../../engine/domain-functions';
import { analyseRound, DEFAULT_COMMON_ISSUE_MINIMUM, groupComments } from '../../domain/survey/analysis';
import { maskName } from '../../domain/survey/contact-mask.util';
import type { Questionnaire } from '../../domain/survey/questionnaire';
import { checkedQuestionnaire, previousRound, roundFactsFromTrail, statisticsOfStoredRound } from '../../domain/survey/round-trail';
import { responseRate } from '../../domain/survey/statistics';
import { opinionsFromComments } from '../../domain/survey/survey-documents';
import { SurveyRoundRepository } from './survey-round.repository';

async function storedRound(
  store: DomainStore,
  instance: { id: string; definition: string },
): Promise<{ self: StoredInstance; all: readonly StoredInstance[] }> {
  const all = await store.instancesOf(instance.definition);
  const self = all.find((i) => i.id === instance.id);
  if (!self) throw new AppError(ErrorCode.NotFound, `round ${instance.id} is not stored`);
  return { self, all };
}

/**
 * `survey.collectionFigures`: at the close of collection, households, issued, returned (online
 * and paper) and the response rate (0 when nothing was issued), for the validity guard.
 */
export const collectionFigures: DomainFunction = async ({ instance, store }) => {
  const [self] = await store.instancesOf(instance.definition, { id: instance.id });
  if (!self) throw new AppError(ErrorCode.NotFound, `round ${instance.id} is not stored`);
  const facts = roundFactsFromTrail({ instance: self });
  const returned = facts.responses.length;
  return {
    households: facts.households,
    issued: facts.issued,
    returned,
    online: facts.online,
    paper: facts.paper,
    responseRate: responseRate({ issued: facts.issued, returned }) ?? 0,
  };
};

/** `survey.statistics` with `{ questionnaire }`: 《客户意见调查统计表》 F002. */
export const roundStatistics: DomainFunction = async ({ instance, args, store }) => {
  const [self] = await store.instancesOf(instance.definition, { id: instance.id });
  if (!self) throw new AppError(ErrorCode.NotFound, `round ${instance.id} is not stored`);
  return statisticsOfStoredRound({ instance: self, questionnaire: checkedQuestionnaire({ questionnaire: args.questionnaire }) });
};

/**
 * `survey.analysis` with `{ questionnaire, commonIssueMinimum? }`: the analysis report against
 * the previous round of the same project and stage (both recomputed from their trails), plus
 * `previousRound: { businessKey, batch }` (null when there is none).
 */
export const roundAnalysis: DomainFunction = async ({ instance, args, store }) => {
  const { self, all } = await storedRound(store, instance);
  const questionnaire = checkedQuestionnaire({ questionnaire: args.questionnaire });
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
  const [self] = await store.instancesOf(instance.definition, { id: instance.id });
  if (!self) throw new AppError(ErrorCode.NotFound, `round ${instance.id} is not stored`);
  const questionnaire = checkedQuestionnaire({ questionnaire: args.questionnaire });
  const statistics = statisticsOfStoredRound({ instance: self, questionnaire });
  const common = new Set(Array.isArray(args.commonGroups) ? args.commonGroups.map(String) : []);
  const commonCommentIds = new Set(
    groupComments({ statistics, questionnaire })
      .filter((g) => common.has(g.key))
      .flatMap((g) => g.comments.map((c) => c.id)),
  );
  const households = (await SurveyRoundRepository.inFunction(store).households(instance.id)).map((h) => ({
    id: h.id,
    building: h.building,
    unit: h.unit ?? '',
    room: h.room,
    ownerName: h.ownerName,
    occupied: true,
  }));
  const opinions = opinionsFromComments({ comments: statistics.comments, households, commonCommentIds });
  return opinions.map(({ ownerName, contact: _phone, ...o }, i) => {
    const householdId = statistics.comments[i].householdId;
    return { ...(householdId ? { householdId } : {}), ...o, ...(ownerName ? { ownerName: maskName(ownerName) } : {}) };
  });
};

export const SURVEY_ROUND_FUNCTIONS: Readonly<Record<string, DomainFunction>> = {
  'survey.collectionFigures': collectionFigures,
  'survey.statistics': roundStatistics,
  'survey.analysis': roundAnalysis,
  'survey.opinions': roundOpinions,
};
