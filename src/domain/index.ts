/**
 * Every domain function available to `compute:` and every writer available to `apply:` in
 * definitions, by name.
 */
import { complaintMonthlyReport } from './complaint/complaint-functions';
import { DomainFunctionRegistry } from './domain-functions';
import { surveyExcludeHouseholds, surveyProjectPause, surveyRoundFor } from './exclusion/exclusion-functions';
import { participationCheckRound } from './participation/participation-functions';
import { SURVEY_FUNCTIONS } from './survey/survey-functions';

/** `definitionsDir` locates rule tables (definitions/rules/*.yaml) the functions read. */
export function createDomainFunctions(options: { definitionsDir?: string } = {}): DomainFunctionRegistry {
  return new DomainFunctionRegistry(
    {
      'complaint.monthlyReport': complaintMonthlyReport,
      'participation.checkRound': participationCheckRound(options.definitionsDir ?? 'definitions'),
      'survey.roundFor': surveyRoundFor,
      'survey.projectPause': surveyProjectPause,
      ...SURVEY_FUNCTIONS,
    },
    {
      'survey.excludeHouseholds': surveyExcludeHouseholds,
    },
  );
}
