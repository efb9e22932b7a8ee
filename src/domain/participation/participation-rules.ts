/**
 * Loads the participation and assessment rule table (参与调研 / 参与考核判定, 002 §2.1–2.2) that
 * process owners edit, `definitions/rules/participation.yaml`. The file format is documented in
 * that file's header and in `index.ts`; this module checks it (JSON Schema with ajv, then the
 * rules a schema cannot express) and turns it into a deeply frozen, typed table.
 *
 * Pure: no I/O. Reading the file is the caller's job.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { AppError, ErrorCode } from '../../common/app-error';
import { didYouMean, quoteList } from '../../definitions/did-you-mean.util';
import { YamlLocator, type YamlPath } from '../../definitions/yaml-locator';
import { isCalendarDate } from './month-date.util';
import {
  DATE_OPERATORS,
  FACT_FIELDS,
  ROLE_LEVELS,
  STAGE_GROUPS,
  STAGES,
  type BooleanField,
  type ChoiceField,
  type Condition,
  type DateField,
  type DateOperand,
  type DateOperator,
  type Effect,
  type FactField,
  type FallbackRule,
  type ParticipationRule,
  type ParticipationRules,
  type Stage,
} from './participation.types';
import { isRecord, deepFreeze } from '../../common/objects.util';

/** One problem in a rule file; the whole file is refused when there is any. */
export interface ParticipationRulesProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path into the YAML, e.g. `rules.2.when.productType.in.1`. */
  readonly path: string;
  readonly message: string;
}

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const stageList = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description: `a list of stages (${STAGES.join(', ')}) or groups (${Object.keys(STAGE_GROUPS).join(', ')})`,
};
const effect = { type: 'string', enum: ['include', 'exclude'] };

/** JSON Schema of the rule file. */
export const PARTICIPATION_RULES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'title', 'productTypes', 'fallback', 'rules'],
  properties: {
    version: { const: 1 },
    title: { type: 'string', minLength: 1 },
    productTypes: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    fallback: {
      type: 'object',
      additionalProperties: false,
      required: ['survey', 'assess'],
      properties: { survey: { $ref: '#/definitions/fallbackRule' }, assess: { $ref: '#/definitions/fallbackRule' } },
    },
    rules: { type: 'array', items: { $ref: '#/definitions/rule' } },
  },
  definitions: {
    ruleId: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_.-]*$',
      description: 'a rule id: a letter, then letters, digits, _ . or - (e.g. P3, A1b, X-2026-01)',
    },
    fallbackRule: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title'],
      properties: { id: { $ref: '#/definitions/ruleId' }, title: { type: 'string', minLength: 1 }, source: { type: 'string' } },
    },
    rule: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title', 'then'],
      properties: {
        id: { $ref: '#/definitions/ruleId' },
        title: { type: 'string', minLength: 1 },
        source: { type: 'string' },
        when: { $ref: '#/definitions/condition' },
        then: {
          type: 'object',
          additionalProperties: false,
          properties: { survey: effect, assess: effect, stages: stageList },
        },
      },
    },
    condition: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: 'a map of conditions, e.g. { brand: true, productType: { in: [住宅] } }',
      properties: {
        ...Object.fromEntries(
          Object.entries(FACT_FIELDS).map(([field, kind]) => [
            field,
            kind === 'boolean' ? { type: 'boolean' } : kind === 'date' ? { $ref: '#/definitions/dateTest' } : { $ref: '#/definitions/choice' },
          ]),
        ),
        any: { type: 'array', minItems: 1, items: { $ref: '#/definitions/condition' } },
        stageSurveyed: { type: 'boolean' },
        anyStageAssessed: stageList,
      },
    },
    choice: {
      type: ['string', 'object'],
      minLength: 1,
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        in: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        notIn: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      },
      description: 'a value, or exactly one of { in: [...] } or { notIn: [...] }',
    },
    dateTest: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: Object.fromEntries(DATE_OPERATORS.map((op) => [op, { $ref: '#/definitions/dateOperand' }])),
      description: `exactly one comparison: ${DATE_OPERATORS.join(', ')} (e.g. { onOrAfter: 2026-01-01 })`,
    },
    dateOperand: {
      type: ['string', 'object'],
      pattern: DATE_PATTERN,
      additionalProperties: false,
      required: ['field'],
      properties: { field: { type: 'string' }, months: { type: 'integer' }, days: { type: 'integer' } },
      description: 'a date YYYY-MM-DD or { field: <date fact>, months?: <whole number>, days?: <whole number> }',
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
const validateShape = ajv.compile(PARTICIPATION_RULES_SCHEMA);

/**
 * Parses and checks a rule file; `file` is only used in messages. Throws `ParticipationRulesInvalid`
 * listing every problem with file, line, column, path and a message that says how to fix it;
 * returns a deeply frozen table otherwise.
 */
export function loadParticipationRules({ text, file = 'participation.yaml' }: { text: string; file?: string }): ParticipationRules {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  const locator = new YamlLocator(doc, lineCounter, file, text);
  const problems: ParticipationRulesProblem[] = [];
  const at = (path: YamlPath, message: string, which: 'key' | 'value' = 'value'): void => {
    problems.push({ ...locator.at(path, which), message });
  };

  for (const e of doc.errors) {
    problems.push({
      ...locator.atOffset(e.pos[0]),
      message: e.code === 'DUPLICATE_KEY' ? 'duplicate key: each key may appear only once in the same map' : `YAML syntax error: ${e.message.split('\n')[0]}`,
    });
  }
  if (problems.length) throw invalid(file, problems);

  const data: unknown = doc.toJS();
  if (!isRecord(data)) {
    problems.push({ ...locator.atOffset(0), message: 'the file must be a map with version, title, productTypes, fallback and rules' });
    throw invalid(file, problems);
  }
  if (!validateShape(data)) {
    for (const e of validateShape.errors ?? []) {
      const path = pointerToPath(e);
      at(path, describe(e, path), e.keyword === 'additionalProperties' ? 'key' : 'value');
    }
  }
  if (problems.length) throw invalid(file, problems);

  const table = compile(data as unknown as RawTable, at, (path) => locator.at(path).line);
  if (problems.length) throw invalid(file, problems);
  return deepFreeze({ file, ...table });
}

interface RawRule {
  id: string;
  title: string;
  source?: string;
  when?: Record<string, unknown>;
  then: { survey?: Effect; assess?: Effect; stages?: string[] };
}
interface RawTable {
  version: 1;
  title: string;
  productTypes: string[];
  fallback: { survey: FallbackRule; assess: FallbackRule };
  rules: RawRule[];
}

type At = (path: YamlPath, message: string, which?: 'key' | 'value') => void;

/** The checks the schema cannot express, and the normalisation into typed rules. */
function compile(raw: RawTable, at: At, lineOf: (path: YamlPath) => number): Omit<ParticipationRules, 'file'> {
  const productTypes = [...raw.productTypes];
  productTypes.forEach((t, i) => {
    if (productTypes.indexOf(t) !== i) at(['productTypes', i], `product type '${t}' is listed twice: keep one`);
  });

  const ids = new Map<string, string>();
  const claimId = (id: string, path: YamlPath): void => {
    const other = ids.get(id);
    if (other) at([...path, 'id'], `rule id '${id}' is already used at ${other}: every rule needs its own id (refusals name rules by id)`);
    else ids.set(id, path.join('.'));
  };
  claimId(raw.fallback.survey.id, ['fallback', 'survey']);
  claimId(raw.fallback.assess.id, ['fallback', 'assess']);

  const vocab: Record<'productType' | 'roleLevel', readonly string[]> = { productType: [...new Set(productTypes)], roleLevel: ROLE_LEVELS };

  const rules: ParticipationRule[] = raw.rules.map((r, i) => {
    const path: YamlPath = ['rules', i];
    claimId(r.id, path);
    if (r.then.survey === undefined && r.then.assess === undefined) {
      at([...path, 'then'], `rule ${r.id} has no effect: give 'survey: include|exclude', 'assess: include|exclude', or both`);
    }
    const stages = r.then.stages === undefined ? [...STAGES] : stagesOf(r.then.stages, [...path, 'then', 'stages'], at);
    const ctx: ConditionContext = { at, vocab, rule: r, rulePath: path, ruleStages: stages };
    const when: Condition = r.when === undefined ? { kind: 'all', of: [] } : conditionOf(r.when, [...path, 'when'], ctx);
    return {
      id: r.id,
      title: r.title,
      ...(r.source !== undefined ? { source: r.source } : {}),
      when,
      ...(r.then.survey !== undefined ? { survey: r.then.survey } : {}),
      ...(r.then.assess !== undefined ? { assess: r.then.assess } : {}),
      stages,
      line: lineOf(path),
    };
  });

  return { version: raw.version, title: raw.title, productTypes, fallback: raw.fallback, rules };
}

interface ConditionContext {
  readonly at: At;
  readonly vocab: Record<'productType' | 'roleLevel', readonly string[]>;
  readonly rule: RawRule;
  readonly rulePath: YamlPath;
  readonly ruleStages: readonly Stage[];
}

/** A `when:` map: every entry must hold (and); `any:` lists maps of which one must hold (or). */
function conditionOf(raw: Record<string, unknown>, path: YamlPath, ctx: ConditionContext): Condition {
  const of: Condition[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const p = [...path, key];
    if (key === 'any') {
      of.push({ kind: 'any', of: (value as Record<string, unknown>[]).map((c, i) => conditionOf(c, [...p, i], ctx)) });
    } else if (key === 'stageSurveyed' || key === 'anyStageAssessed') {
      if (ctx.rule.then.survey !== undefined) {
        ctx.at(
          p,
          `'${key}' looks at survey/assessment decisions, so it may only be used in a rule with 'assess:' and no 'survey:' (survey is decided first, assessment after)`,
          'key',
        );
      }
      if (key === 'stageSurveyed') {
        of.push({ kind: 'stageSurveyed', value: value as boolean });
      } else {
        const stages = stagesOf(value as string[], p, ctx.at);
        const last = stages[stages.length - 1];
        const first = ctx.ruleStages[0];
        if (last !== undefined && first !== undefined && STAGES.indexOf(last) >= STAGES.indexOf(first)) {
          ctx.at(
            p,
            `'anyStageAssessed' may only name stages before the ones this rule decides (stages are assessed in the order ${STAGES.join(', ')}); '${last}' is not before '${first}'`,
          );
        }
        of.push({ kind: 'anyStageAssessed', stages });
      }
    } else {
      const field = key as FactField;
      const kind = FACT_FIELDS[field];
      if (kind === 'boolean') of.push({ kind: 'is', field: field as BooleanField, value: value as boolean });
      else if (kind === 'date') of.push(dateConditionOf(field as DateField, value as Record<string, unknown>, p, ctx));
      else of.push(choiceOf(field as ChoiceField, value as string | Record<string, string[]>, p, ctx, ctx.vocab[kind]));
    }
  }
  return of.length === 1 ? of[0] : { kind: 'all', of };
}

function choiceOf(field: ChoiceField, value: string | Record<string, string[]>, path: YamlPath, ctx: ConditionContext, allowed: readonly string[]): Condition {
  const check = (v: string, p: YamlPath): void => {
    if (!allowed.includes(v)) {
      const what = field === 'productType' ? `product type '${v}' is not in productTypes` : `'${v}' is not a role level`;
      ctx.at(p, `${what}.${didYouMean(v, allowed)} Allowed: ${quoteList(allowed)}`);
    }
  };
  if (typeof value === 'string') {
    check(value, path);
    return { kind: 'in', field, values: [value], negate: false };
  }
  const [op, values] = Object.entries(value)[0];
  values.forEach((v, i) => check(v, [...path, op, i]));
  return { kind: 'in', field, values: [...values], negate: op === 'notIn' };
}

function dateConditionOf(field: DateField, value: Record<string, unknown>, path: YamlPath, ctx: ConditionContext): Condition {
  const [op, operand] = Object.entries(value)[0] as [DateOperator, unknown];
  const p = [...path, op];
  let resolved: DateOperand;
  if (typeof operand === 'string') {
    if (!isCalendarDate({ value: operand })) ctx.at(p, `'${operand}' is not a calendar date`);
    resolved = { kind: 'literal', date: operand };
  } else {
    const o = operand as { field: string; months?: number; days?: number };
    const dateFields = Object.keys(FACT_FIELDS).filter((f) => FACT_FIELDS[f as FactField] === 'date');
    if (!dateFields.includes(o.field)) {
      ctx.at([...p, 'field'], `'${o.field}' is not a date fact.${didYouMean(o.field, dateFields)} Date facts: ${quoteList(dateFields)}`);
    }
    resolved = { kind: 'field', field: o.field as DateField, months: o.months ?? 0, days: o.days ?? 0 };
  }
  return { kind: 'date', field, op, operand: resolved };
}

/** Stage and group names → stages in life-cycle order, reporting unknown names. */
function stagesOf(names: readonly string[], path: YamlPath, at: At): Stage[] {
  const out = new Set<Stage>();
  const known = [...STAGES, ...Object.keys(STAGE_GROUPS)];
  names.forEach((n, i) => {
    if ((STAGES as readonly string[]).includes(n)) out.add(n as Stage);
    else if (STAGE_GROUPS[n]) STAGE_GROUPS[n].forEach((s) => out.add(s));
    else at([...path, i], `'${n}' is not a stage.${didYouMean(n, known)} Stages: ${quoteList(STAGES)}; groups: ${quoteList(Object.keys(STAGE_GROUPS))}`);
  });
  return STAGES.filter((s) => out.has(s));
}

function invalid(file: string, unsorted: ParticipationRulesProblem[]): AppError {
  const problems = [...unsorted].sort((a, b) => a.line - b.line || a.column - b.column);
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.column}${p.path ? ` (${p.path})` : ''}: ${p.message}`);
  return new AppError(ErrorCode.ParticipationRulesInvalid, `participation rule file ${file} has ${problems.length} error(s):\n${lines.join('\n')}`, {
    errors: problems,
  });
}

function pointerToPath(e: ErrorObject): (string | number)[] {
  const path: (string | number)[] =
    e.instancePath === ''
      ? []
      : e.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') path.push(String((e.params as { additionalProperty: string }).additionalProperty));
  return path;
}

function describe(e: ErrorObject, path: (string | number)[]): string {
  const last = path[path.length - 1];
  const field = path.length ? `'${last}'` : 'the file';
  const parent = (e.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  switch (e.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys(parent.properties ?? {});
      return `unknown key ${field}.${didYouMean(String(last), allowed)} Allowed keys: ${allowed.join(', ')}`;
    }
    case 'required':
      return `missing '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum': {
      const allowed = (e.params as { allowedValues: string[] }).allowedValues.map(String);
      return `${field} must be one of ${quoteList(allowed)}.${didYouMean(String(e.data), allowed)}`.replace(/\.$/, '');
    }
    case 'const':
      return `${field} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} (the only format version so far)`;
    case 'minItems':
      return `${field} needs at least ${(e.params as { limit: number }).limit} entr${(e.params as { limit: number }).limit === 1 ? 'y' : 'ies'}`;
    case 'minLength':
      return `${field} must not be empty`;
    case 'type': {
      if (parent.description) return `${field} must be ${parent.description}`;
      const type = String((e.params as { type: string | string[] }).type);
      return `${field} must be ${type === 'array' ? 'a list' : type === 'object' ? 'a map' : type === 'boolean' ? 'true or false' : type === 'integer' ? 'a whole number' : `a ${type}`}`;
    }
    case 'pattern':
    case 'minProperties':
    case 'maxProperties':
      if (parent.description) return `${field} must be ${parent.description}`;
      return `${field} ${e.message ?? 'is invalid'}`;
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}
