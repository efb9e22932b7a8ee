/**
 * Scenario files for `wf simulate`: a start (context, actor, time) and a list of steps, each an
 * event with optional actor, payload, time and expectations. Documented in definitions/README.md.
 */
import Ajv2020 from 'ajv/dist/2020';
import { parseDocument } from 'yaml';
import { toValidationErrors } from '../definitions/json-schema.util';

export interface ScenarioActor {
  readonly id: string;
  readonly roles: readonly string[];
  /** User attributes the process may check as actor.<name>, e.g. { department: 工程部 }. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface ScenarioExpect {
  readonly state?: string;
  /** A subset: only the fields written here are compared (maps recursively, lists exactly). */
  readonly context?: Record<string, unknown>;
  readonly done?: boolean;
  /** Effect kinds in order, e.g. [render, notify]. */
  readonly effects?: readonly string[];
  /** The step must fail with this error code (e.g. FORBIDDEN); the instance stays where it was. */
  readonly error?: string;
}

export interface ScenarioStep {
  readonly event: string;
  readonly actor?: ScenarioActor;
  readonly payload?: Record<string, unknown>;
  readonly at?: string;
  readonly expect?: ScenarioExpect;
}

export interface Scenario {
  /** The instance's business key (default `scenario`): templates and domain functions may read it. */
  readonly businessKey?: string;
  readonly context?: Record<string, unknown>;
  readonly actor: ScenarioActor;
  readonly at?: string;
  readonly steps: readonly ScenarioStep[];
}

const actor = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'roles'],
  properties: {
    id: { type: 'string', minLength: 1 },
    roles: { type: 'array', items: { type: 'string' } },
    attributes: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const time = { type: 'string', minLength: 1 };

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['actor', 'steps'],
  properties: {
    title: { type: 'string' },
    businessKey: { type: 'string', minLength: 1 },
    context: { type: 'object' },
    actor,
    at: time,
    steps: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['event'],
        properties: {
          event: { type: 'string', minLength: 1 },
          actor,
          payload: { type: 'object' },
          at: time,
          expect: {
            type: 'object',
            additionalProperties: false,
            properties: {
              state: { type: 'string' },
              context: { type: 'object' },
              done: { type: 'boolean' },
              effects: { type: 'array', items: { type: 'string' } },
              error: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

const validateScenario = new Ajv2020({ allErrors: true, strict: false }).compile(scenarioSchema);

/** Parses a scenario; returns plain-language problems instead of throwing. */
export function parseScenario(text: string): { ok: true; scenario: Scenario } | { ok: false; errors: string[] } {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => e.message.split('\n')[0]) };
  const raw = doc.toJS() as unknown;
  if (!validateScenario(raw)) {
    return { ok: false, errors: toValidationErrors(validateScenario.errors).map((e) => `${e.path} ${e.message}`) };
  }
  const scenario = raw as unknown as Scenario;
  const times = [scenario.at, ...scenario.steps.map((s) => s.at)].filter((t): t is string => t !== undefined);
  const bad = times.filter((t) => Number.isNaN(new Date(t).getTime()));
  if (bad.length > 0) return { ok: false, errors: bad.map((t) => `'${t}' is not a time (write e.g. 2026-01-05T09:00:00+08:00)`) };
  return { ok: true, scenario };
}

/** Differences between `expected` (a subset) and `actual`, as `path: expected X, got Y` lines. */
export function subsetDifferences(expected: unknown, actual: unknown, path = 'context'): string[] {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return [`${path}: expected a map, got ${JSON.stringify(actual)}`];
    }
    return Object.entries(expected).flatMap(([k, v]) => subsetDifferences(v, (actual as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return JSON.stringify(expected) === JSON.stringify(actual)
    ? []
    : [`${path}: expected ${JSON.stringify(expected)}, got ${actual === undefined ? 'nothing' : JSON.stringify(actual)}`];
}
