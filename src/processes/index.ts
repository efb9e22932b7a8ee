/**
 * Per-process application code, one folder per process (`survey-round/`, `complaint/`,
 * `exclusion-pause/`): its service (what people do besides plain events), its repository (the
 * only place its SQL lives), its views, and the `compute:`/`apply:` functions its definitions
 * call. It reaches the engine only through the engine's public API; the engine never imports
 * it — whoever opens the engine hands it `createProcessFunctions()`.
 */
import type { AppConfig } from '../config/app-config';
import { DomainFunctionRegistry } from '../engine/domain-functions';
import { openEngine, type Engine, type EngineOptions } from '../engine/engine';
import { COMPLAINT_FUNCTIONS } from './complaint/complaint.functions';
import { EXCLUSION_PAUSE_FUNCTIONS, EXCLUSION_PAUSE_WRITERS } from './exclusion-pause/exclusion-pause.functions';
import { participationCheckRound } from './survey-round/participation.functions';
import { SURVEY_ROUND_FUNCTIONS } from './survey-round/survey-round.functions';
import { surveyYearCoverage } from './survey-round/year-coverage.functions';

/**
 * Every domain function available to `compute:` and every writer available to `apply:` in
 * definitions, by name. `definitionsDir` locates rule tables (definitions/rules/*.yaml) the
 * functions read.
 */
export function createProcessFunctions(options: { definitionsDir?: string } = {}): DomainFunctionRegistry {
  return new DomainFunctionRegistry(
    {
      ...COMPLAINT_FUNCTIONS,
      'participation.checkRound': participationCheckRound(options.definitionsDir ?? 'definitions'),
      ...EXCLUSION_PAUSE_FUNCTIONS,
      ...SURVEY_ROUND_FUNCTIONS,
      'survey.yearCoverage': surveyYearCoverage,
    },
    { ...EXCLUSION_PAUSE_WRITERS },
  );
}

/**
 * The engine with every process's functions: what the service, the CLI and the tests open
 * (the composition root; the engine itself never imports this folder).
 */
export function openProcessEngine(config: AppConfig, options: Omit<EngineOptions, 'functions'> = {}): Promise<Engine> {
  return openEngine(config, { ...options, functions: createProcessFunctions({ definitionsDir: config.definitionsDir }) });
}
