/**
 * One event under a state's `on`: its payload schema and validator, the fields the engine
 * computes with domain functions (`compute:`), and its guarded branches (inline or under
 * `branches`) with their targets, assignments and actions.
 */
import type { ExpressionChecks } from '../compiler/expression';
import {
  MAX_OPINION_LENGTH,
  OPINION_FIELD,
  type Assignment,
  type BranchDefinition,
  type ComputeDefinition,
  type EventDefinition,
  type JsonSchema,
} from './definition.types';
import { isMap, str, undeclaredPath, type Raw } from './definition-build-context';
import { buildActions } from './definition-actions';
import { checkRoles } from './definition-declarations';
import type { DefinitionScope } from './definition-scope';
import { compileAt, expressionChecks, valueSpec } from './definition-values';
import { didYouMean, quoteList } from './did-you-mean.util';
import { compileUserSchema, jsonCopy, toValidationErrors } from './json-schema.util';
import type { YamlPath } from './yaml-locator';

export function buildEvent(scope: DefinitionScope, type: string, rawEvent: Raw, path: YamlPath): EventDefinition {
  const { report, pos } = scope;
  if (isMap(rawEvent.payload) && rawEvent.payload.type !== 'object') {
    report([...path, 'payload'], "the payload schema must describe a map: write 'type: object' at its top");
  }
  const opinion = rawEvent.opinion === 'required' || rawEvent.opinion === 'optional' ? rawEvent.opinion : undefined;
  const payloadSchema = withOpinion(scope, isMap(rawEvent.payload) ? rawEvent.payload : { type: 'object' }, opinion, path);
  const compiled = compileUserSchema(scope.ajv, payloadSchema);
  if (!compiled.ok)
    report([...path, 'payload', ...(compiled.at ?? [])], `the payload schema is not a valid JSON Schema: ${compiled.message}`, compiled.which ?? 'key');
  const validate = compiled.ok ? compiled.validate : undefined;
  // Computed fields are filled in by the engine: the sender's payload is validated without them,
  // and expressions may read them as payload fields.
  const computeFields = isMap(rawEvent.compute) ? Object.keys(rawEvent.compute) : [];
  const payloadProperties = isMap(payloadSchema.properties) ? payloadSchema.properties : undefined;
  const checks = expressionChecks(
    scope.declared,
    payloadProperties && computeFields.length
      ? { ...payloadSchema, properties: { ...payloadProperties, ...Object.fromEntries(computeFields.map((f) => [f, {}])) } }
      : payloadSchema,
  );
  const compute = buildCompute(scope, rawEvent, computeFields, payloadProperties, path, checks);
  const inlineKeys = ['when', 'reject', 'target', 'assign', 'actions'].filter((k) => k in rawEvent);
  let branches: BranchDefinition[];
  if (Array.isArray(rawEvent.branches)) {
    for (const k of inlineKeys) {
      report([...path, k], `'${k}' cannot be used together with 'branches': move it into one of the branches`, 'key');
    }
    branches = rawEvent.branches.map((b, i) => buildBranch(scope, isMap(b) ? b : {}, [...path, 'branches', i], checks, [...path, 'branches', i]));
    rawEvent.branches.forEach((b, i) => {
      if (isMap(b) && b.when === undefined && i < (rawEvent.branches as unknown[]).length - 1) {
        report(
          [...path, 'branches', i],
          `this branch has no 'when', so it is always taken: the ${(rawEvent.branches as unknown[]).length - 1 - i} branch(es) after it can never be reached`,
        );
      }
    });
  } else {
    branches = [buildBranch(scope, rawEvent, path, checks, path)];
  }
  const viaService = rawEvent.via === 'service';
  if (rawEvent.api !== undefined && !viaService) {
    report([...path, 'api'], "'api' names where an event sent only through its service comes from: add 'via: service' or remove 'api'", 'key');
  }
  if (viaService && Array.isArray(rawEvent.roles) && rawEvent.roles.includes('system')) {
    report(
      [...path, 'via'],
      "an event sent only through its service ('via: service') cannot also be sent by the engine: remove 'system' from its roles or remove 'via'",
      'key',
    );
  }
  if (viaService && Array.isArray(rawEvent.from) && rawEvent.from.length > 0) {
    report(
      [...path, 'from'],
      "an event sent only through its service ('via: service') cannot also be sent by another process: remove 'from' or remove 'via'",
      'key',
    );
  }
  if (opinion === 'required' && Array.isArray(rawEvent.roles) && rawEvent.roles.includes('system')) {
    report(
      [...path, 'opinion'],
      "'opinion: required' asks a person for a written opinion, which the engine (system: deadlines, schedules) cannot write: remove 'system' from its roles or write 'opinion: optional'",
      'key',
    );
  }
  if (rawEvent.roles === undefined && rawEvent.from === undefined) {
    report(
      path,
      `'${type}' needs 'roles' (the people, or system for a deadline or schedule, who may send it) or 'from' (the processes whose emit may), or both`,
      'key',
    );
  }
  return {
    type,
    ...(str(rawEvent.title) ? { title: rawEvent.title as string } : {}),
    roles: checkRoles(scope, scope.declared, rawEvent.roles, [...path, 'roles']),
    from: Array.isArray(rawEvent.from) ? rawEvent.from.filter((k): k is string => typeof k === 'string') : [],
    ...(viaService ? { via: 'service' as const } : {}),
    ...(str(rawEvent.api) ? { api: rawEvent.api as string } : {}),
    ...notByOf(scope, rawEvent, path),
    ...(opinion ? { opinion } : {}),
    compute,
    payloadSchema,
    validatePayload: (payload: unknown) => {
      if (!validate) return [{ path: '$', message: 'the payload schema of this event is invalid' }];
      const copy = jsonCopy(payload) as Record<string, unknown>;
      if (copy && typeof copy === 'object') for (const f of computeFields) delete copy[f];
      return validate(copy) ? [] : toValidationErrors(validate.errors);
    },
    branches,
    position: pos(path, 'key'),
  };
}

/**
 * `opinion:` adds the written opinion (审批意见) to the payload schema as the field `opinion`, a
 * text of at most MAX_OPINION_LENGTH characters, listed as required when the opinion is; the
 * engine refuses a required one that is empty or only spaces (process-machine.ts).
 */
function withOpinion(scope: DefinitionScope, schema: JsonSchema, opinion: 'required' | 'optional' | undefined, path: YamlPath): JsonSchema {
  if (!opinion) return schema;
  const properties = isMap(schema.properties) ? schema.properties : {};
  if (OPINION_FIELD in properties) {
    scope.report(
      [...path, 'payload', 'properties', OPINION_FIELD],
      `'${OPINION_FIELD}' is the written opinion that 'opinion: ${opinion}' adds to the payload: remove this field or remove 'opinion'`,
      'key',
    );
    return schema;
  }
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  return {
    ...schema,
    properties: { ...properties, [OPINION_FIELD]: { type: 'string', title: '审批意见', maxLength: MAX_OPINION_LENGTH } },
    ...(opinion === 'required' ? { required: [...required, OPINION_FIELD] } : {}),
  };
}

/** `compute:` fields: each names a domain function (checked when the caller knows them) and its arguments. */
function buildCompute(
  scope: DefinitionScope,
  rawEvent: Raw,
  computeFields: string[],
  payloadProperties: Raw | undefined,
  path: YamlPath,
  checks: ExpressionChecks,
): ComputeDefinition[] {
  const { report, pos, input } = scope;
  return computeFields.map((field) => {
    const rawSpec = (rawEvent.compute as Raw)[field];
    const fieldPath = [...path, 'compute', field];
    const name = typeof rawSpec === 'string' ? rawSpec : isMap(rawSpec) ? (str(rawSpec.function) ?? '') : '';
    if (payloadProperties && field in payloadProperties) {
      report(fieldPath, `'${field}' is computed by the engine, so it cannot also be a payload field the sender fills in`, 'key');
    }
    if (name && input.functions && !input.functions.has(name)) {
      const known = input.functions.names();
      report(
        typeof rawSpec === 'string' ? fieldPath : [...fieldPath, 'function'],
        `there is no domain function '${name}'; known functions: ${quoteList([...known])}.${didYouMean(name, [...known])}`,
      );
    }
    return {
      field,
      function: name,
      args:
        isMap(rawSpec) && isMap(rawSpec.with)
          ? Object.fromEntries(Object.entries(rawSpec.with).map(([k, v]) => [k, valueSpec(scope, v, [...fieldPath, 'with', k], checks)]))
          : {},
      position: pos(fieldPath, 'key'),
    };
  });
}

function buildBranch(scope: DefinitionScope, rawBranch: Raw, path: YamlPath, checks: ExpressionChecks, positionPath: YamlPath): BranchDefinition {
  const { report } = scope;
  const { firstSeen, stateNames } = scope.tree;
  const target = str(rawBranch.target);
  if (target !== undefined && !firstSeen.has(target)) {
    report([...path, 'target'], `the target state '${target}' does not exist.${didYouMean(target, stateNames)} Existing states: ${quoteList(stateNames)}`);
  }
  const when = typeof rawBranch.when === 'string' ? compileAt(scope, rawBranch.when, [...path, 'when'], 0, checks) : undefined;
  const reject = typeof rawBranch.reject === 'string' ? valueSpec(scope, rawBranch.reject, [...path, 'reject'], checks) : undefined;
  if (reject) {
    for (const k of ['target', 'assign', 'actions'].filter((key) => key in rawBranch)) {
      report([...path, k], `a branch with 'reject' refuses the event, so it cannot also have '${k}': move '${k}' into another branch`, 'key');
    }
  }
  return {
    ...(when ? { when } : {}),
    ...(reject ? { reject } : {}),
    ...(target !== undefined ? { target } : {}),
    assign: buildAssign(scope, rawBranch.assign, [...path, 'assign'], checks),
    actions: buildActions(scope, rawBranch.actions, [...path, 'actions'], checks),
    position: scope.pos(positionPath, 'key'),
  };
}

/** `assign:` entries: each a context field (checked against the schema) and its value. */
function buildAssign(scope: DefinitionScope, assign: unknown, path: YamlPath, checks: ExpressionChecks): Assignment[] {
  if (!isMap(assign)) return [];
  return Object.entries(assign).map(([field, value]) => {
    const missing = undeclaredPath(scope.declared.contextSchema, field.split('.'));
    if (missing) {
      scope.report(
        [...path, field],
        `assign: '${field}' is not a field of the context (see 'context' at the top); known fields${missing.at ? ` of '${missing.at}'` : ''}: ${quoteList(missing.known)}.${didYouMean(missing.field, missing.known)}`,
        'key',
      );
    }
    return { path: field, value: valueSpec(scope, value, [...path, field], checks) };
  });
}

/**
 * `notBy: [event, …]` (`start` for the creation of the case): the latest sender of one of these
 * events may not send this one. Every name must be an event of the definition.
 */
function notByOf(scope: DefinitionScope, rawEvent: Raw, path: YamlPath): { notBy?: readonly string[] } {
  if (!Array.isArray(rawEvent.notBy)) return {};
  const events = new Set(scope.tree.rawStates.flatMap((s) => (isMap(s.raw.on) ? Object.keys(s.raw.on) : [])));
  const names = rawEvent.notBy.filter((n): n is string => typeof n === 'string');
  names.forEach((name, i) => {
    if (name !== 'start' && !events.has(name)) {
      scope.report(
        [...path, 'notBy', i],
        `'notBy' names '${name}', which is not an event of this definition; write an event name or 'start' (the creation of the case).${didYouMean(name, [...events, 'start'])}`,
      );
    }
  });
  return { notBy: names.map((n) => (n === 'start' ? '$start' : n)) };
}
