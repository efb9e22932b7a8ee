/**
 * Builds the typed `ProcessDefinition` from the parsed YAML and checks every cross-reference:
 * initial states, targets, roles, rules, expressions, context fields, templates, unique state
 * names. Written to tolerate a document the JSON Schema already refused (wrong shapes are
 * skipped, not crashed on), so all problems of a file are reported together.
 *
 * The parts run in a fixed order, each appending its problems (the loader then sorts them by
 * position; problems at the same position keep this order):
 * declarations (roles, rules, context: `definition-declarations.ts`) → the tree of state names
 * (`definition-state-tree.ts`) → `correlation:` (`definition-correlation.ts`) → states with their events, branches and actions
 * (`definition-states.ts`, `definition-events.ts`, `definition-actions.ts`) → `start.roles` and `start.from` →
 * deadlines (`definition-deadlines.ts`) → schedules (`definition-schedules.ts`) → `read:` and
 * `personal:` (`definition-privacy.ts`).
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import type { DefinitionProblem, ProcessDefinition } from './definition.types';
import { createBuildContext, isMap, str, type BuildInput, type Raw } from './definition-build-context';
import { addDeadlines } from './definition-deadlines';
import { buildDeclarations, checkRoles } from './definition-declarations';
import { buildDueSoon } from './definition-due-soon';
import { buildCorrelation } from './definition-correlation';
import { buildPersonal, buildRead } from './definition-privacy';
import { buildSchedules } from './definition-schedules';
import { buildSummary } from './definition-summary';
import { checkReservedNames } from './definition-names';
import { definitionScope } from './definition-scope';
import { collectStates } from './definition-state-tree';
import { buildStates } from './definition-states';
import { jsonCopy, toValidationErrors } from './json-schema.util';

export { SYSTEM_ROLE, type BuildInput } from './definition-build-context';
export { TEMPLATE_META_FIELDS } from './definition-actions';

export function buildDefinition(raw: Raw, input: BuildInput): { definition?: ProcessDefinition; problems: DefinitionProblem[] } {
  const ctx = createBuildContext({ ...input, ...(typeof raw.key === 'string' ? { key: raw.key } : {}) });
  checkReservedNames(ctx, raw);
  const declared = buildDeclarations(ctx, raw);
  const tree = collectStates(ctx, raw);
  const correlation = buildCorrelation(ctx, declared, raw);
  const scope = definitionScope(ctx, declared, tree, correlation);
  const states = buildStates(scope);
  const startRoles = isMap(raw.start) ? checkRoles(ctx, declared, raw.start.roles, ['start', 'roles']) : [];
  const startFrom = isMap(raw.start) && Array.isArray(raw.start.from) ? raw.start.from.filter((k): k is string => typeof k === 'string') : [];
  if (isMap(raw.start) && raw.start.roles === undefined && raw.start.from === undefined) {
    ctx.report(
      ['start'],
      "'start' needs 'roles' (the people who may open a case, or system for a schedule) or 'from' (the processes whose start action may), or both",
      'key',
    );
  }
  addDeadlines(scope, states);
  const schedules = buildSchedules(scope, raw.schedules, states, startRoles);
  const read = buildRead(ctx, declared, raw);
  const personal = buildPersonal(ctx, declared, raw, states);
  const summary = buildSummary(ctx, raw, declared.contextSchema);
  const assignment = isMap(raw.assignment)
    ? {
        reassignBy: checkRoles(ctx, declared, raw.assignment.reassignBy, ['assignment', 'reassignBy']),
        ...(typeof raw.assignment.remindEveryHours === 'number' ? { remindEveryHours: raw.assignment.remindEveryHours } : {}),
      }
    : undefined;
  const dueSoon = buildDueSoon(ctx, raw);
  const { problems } = ctx;
  if (problems.length > 0) return { problems };

  const validateContext = declared.validateContext as ValidateFunction;
  const definition: ProcessDefinition = {
    key: raw.key as string,
    title: raw.title as string,
    ...(str(raw.description) ? { description: raw.description as string } : {}),
    ...(summary ? { summary } : {}),
    roles: declared.roles,
    rules: declared.rules,
    ruleValues: declared.ruleValues,
    contextSchema: declared.contextSchema,
    validateContext(context: unknown) {
      const value = (jsonCopy(context) ?? {}) as Record<string, unknown>;
      const ok = validateContext(value);
      return { errors: ok ? [] : toValidationErrors(validateContext.errors), value };
    },
    startRoles,
    startFrom,
    correlation,
    read,
    personal,
    ...(assignment ? { assignment } : {}),
    ...(dueSoon !== undefined ? { dueSoonWorkingDays: dueSoon } : {}),
    initial: raw.initial as string,
    topStates: tree.topStates,
    states,
    schedules,
    source: input.source,
  };
  return { definition, problems };
}
