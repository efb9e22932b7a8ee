/**
 * Every domain function available to `compute:` and every writer available to `apply:` in
 * definitions, by name.
 */
import { complaintMonthlyReport } from './complaint/complaint-functions';
import { DomainFunctionRegistry } from './domain-functions';
import { surveyExcludeHouseholds, surveyProjectPause, surveyRoundFor } from './exclusion/exclusion-functions';
import { SURVEY_FUNCTIONS } from './survey/survey-functions';

export function createDomainFunctions(): DomainFunctionRegistry {
  return new DomainFunctionRegistry(
    {
      'complaint.monthlyReport': complaintMonthlyReport,
      'survey.roundFor': surveyRoundFor,
      'survey.projectPause': surveyProjectPause,
      ...SURVEY_FUNCTIONS,
    },
    {
      'survey.excludeHouseholds': surveyExcludeHouseholds,
    },
  );
}
