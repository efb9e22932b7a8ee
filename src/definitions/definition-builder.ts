/**
 * Builds the typed `ProcessDefinition` from the parsed YAML and checks every cross-reference:
 * initial states, targets, roles, rules, expressions, context fields, templates, unique state
 * names. Written to tolerate a document the JSON Schema already refused (wrong shapes are
 * skipped, not crashed on), so all problems of a file are reported together.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import { compileExpression, type ExpressionChecks } from '../compiler/expression';
import type {
  ActionDefinition,
  Assignment,
  BranchDefinition,
  CompiledExpression,
  DefinitionProblem,
  EventDefinition,
  ExpressionScope,
  JsonSchema,
  ProcessDefinition,
  RoleDefinition,
  RuleDefinition,
  SourcePosition,
  StateDefinition,
  StateKind,
  ValueSpec,
} from './definition.types';
import { didYouMean, quoteList } from './did-you-mean.util';
import { compileUserSchema, createSchemaAjv, jsonCopy, toValidationErrors } from './json-schema.util';
import type { YamlLocator, YamlPath } from './yaml-locator';

/** The engine's own actor (deadlines, automatic steps): usable without declaring it. */
export const SYSTEM_ROLE = 'system';

/** Action parameters that are names, never expressions. */
const NAME_PARAMS: Readonly<Record<string, readonly string[]>> = {
  render: ['template'],
  notify: ['role'],
  email: ['template'],
  emit: ['event', 'definition'],
  start: ['definition'],
};

interface BuildInput {
  readonly locator: YamlLocator;
  readonly templates?: { has(name: string): boolean; readonly dir?: string };
  readonly source: ProcessDefinition['source'];
}

type Raw = Record<string, unknown>;
const isMap = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

interface RawState {
  name: string;
  raw: Raw;
  path: YamlPath;
  namePath: string[];
  parent?: string;
}

export function buildDefinition(raw: Raw, input: BuildInput): { definition?: ProcessDefinition; problems: DefinitionProblem[] } {
  const { locator } = input;
  const problems: DefinitionProblem[] = [];
  const report = (path: YamlPath, message: string, which: 'key' | 'value' = 'value') =>
    problems.push({ ...locator.at(path, which), message });
  const pos = (path: YamlPath, which: 'key' | 'value' = 'value'): SourcePosition => locator.at(path, which);
  const ajv = createSchemaAjv();

  // Roles and rules.
  const roles: Record<string, RoleDefinition> = {};
  if (isMap(raw.roles)) {
    for (const [name, value] of Object.entries(raw.roles)) {
      roles[name] = { name, ...(isMap(value) && str(value.title) ? { title: value.title as string } : {}) };
    }
  }
  const roleNames = new Set([...Object.keys(roles), SYSTEM_ROLE]);
  const checkRoles = (list: unknown, path: YamlPath): string[] => {
    if (!Array.isArray(list)) return [];
    const out: string[] = [];
    list.forEach((role, i) => {
      if (typeof role !== 'string') return;
      if (!roleNames.has(role)) {
        report(
          [...path, i],
          `the role '${role}' is not declared under 'roles'; declared roles: ${quoteList(Object.keys(roles))}.${didYouMean(role, roleNames)}`,
        );
      }
      out.push(role);
    });
    return out;
  };

  const rules: Record<string, RuleDefinition> = {};
  const ruleValues: Record<string, unknown> = {};
  if (isMap(raw.rules)) {
    for (const [name, value] of Object.entries(raw.rules)) {
      if (!isMap(value)) continue;
      rules[name] = {
        name,
        value: value.value,
        ...(str(value.title) ? { title: value.title as string } : {}),
        ...(str(value.description) ? { description: value.description as string } : {}),
      };
      ruleValues[name] = value.value;
    }
  }
  const ruleNames = new Set(Object.keys(rules));

  // Context schema.
  const contextSchema: JsonSchema = isMap(raw.context) ? raw.context : { type: 'object' };
  let validateContextFn: ValidateFunction | undefined;
  if (isMap(raw.context) && raw.context.type !== 'object') {
    report(['context'], "the context schema must describe a map: write 'type: object' at its top");
  }
  {
    const compiled = compileUserSchema(ajv, contextSchema);
    if (compiled.ok) validateContextFn = compiled.validate;
    else report(['context'], `the context schema is not a valid JSON Schema: ${compiled.message}`, 'key');
  }

  // Collect states (names unique across all levels).
  const rawStates: RawState[] = [];
  const firstSeen = new Map<string, RawState>();
  const collect = (statesRaw: unknown, path: YamlPath, namePath: string[], parent?: string) => {
    if (!isMap(statesRaw)) return;
    for (const [name, value] of Object.entries(statesRaw)) {
      const state: RawState = { name, raw: isMap(value) ? value : {}, path: [...path, name], namePath: [...namePath, name], parent };
      const first = firstSeen.get(name);
      if (first) {
        report(
          state.path,
          `the state name '${name}' is used twice (first at line ${pos(first.path, 'key').line}); state names must be unique at every level, because a target is just a name`,
          'key',
        );
        continue;
      }
      firstSeen.set(name, state);
      rawStates.push(state);
      collect(state.raw.states, [...state.path, 'states'], state.namePath, name);
    }
  };
  collect(raw.states, ['states'], []);
  const stateNames = [...firstSeen.keys()];
  const topStates = isMap(raw.states) ? Object.keys(raw.states) : [];

  const checkInitial = (initial: unknown, children: string[], path: YamlPath, owner: string) => {
    if (typeof initial !== 'string') return;
    if (!children.includes(initial)) {
      const hint = didYouMean(initial, children);
      const elsewhere = firstSeen.has(initial) ? ` ('${initial}' exists, but not at this level)` : '';
      report(path, `the initial state '${initial}' is not one of the states of ${owner}${elsewhere}; they are: ${quoteList(children)}.${hint}`);
    }
  };
  checkInitial(raw.initial, topStates, ['initial'], 'the definition');

  // Expressions and values.
  const contextChecks = (payloadSchema?: JsonSchema): ExpressionChecks => ({ ruleNames, contextSchema, payloadSchema });
  const expression = (source: string, path: YamlPath, prefix: number, checks: ExpressionChecks): CompiledExpression | undefined => {
    const locate = locator.expressionLocator(path, source, prefix);
    const result = compileExpression(source, locate(0), checks, locate);
    if (!result.ok) {
      problems.push(...result.problems);
      return undefined;
    }
    return result.expression;
  };
  /** `=expr` → expression; `==text` → literal `=text`; maps/lists containing `=` strings → composite. */
  const valueSpec = (value: unknown, path: YamlPath, checks: ExpressionChecks): ValueSpec => {
    if (typeof value === 'string' && value.startsWith('==')) return { kind: 'literal', value: value.slice(1) };
    if (typeof value === 'string' && value.startsWith('=')) {
      const compiled = expression(value.slice(1), path, 1, checks);
      return compiled ? { kind: 'expression', expression: compiled } : { kind: 'literal', value: null };
    }
    if (typeof value === 'object' && value !== null && containsExpression(value)) {
      const build = (v: unknown, p: YamlPath): (scope: ExpressionScope) => unknown => {
        if (Array.isArray(v)) {
          const parts = v.map((item, i) => build(item, [...p, i]));
          return (scope) => parts.map((part) => part(scope));
        }
        if (isMap(v)) {
          const parts = Object.entries(v).map(([k, item]) => [k, build(item, [...p, k])] as const);
          return (scope) => Object.fromEntries(parts.map(([k, part]) => [k, part(scope)]));
        }
        const spec = valueSpec(v, p, checks);
        return spec.kind === 'literal' ? () => spec.value : (scope) => spec.expression.evaluate(scope);
      };
      const evaluate = build(value, path);
      return { kind: 'expression', expression: { source: JSON.stringify(value), position: pos(path), evaluate } };
    }
    return { kind: 'literal', value };
  };

  const checkTemplate = (name: unknown, path: YamlPath) => {
    if (typeof name !== 'string' || !input.templates) return;
    if (!input.templates.has(name)) {
      const dir = input.templates.dir ?? 'the templates folder';
      report(path, `the template '${name}' does not exist: expected the file ${dir.replace(/\/?$/, '/')}${name}.hbs`);
    }
  };

  const buildActions = (list: unknown, path: YamlPath, checks: ExpressionChecks): ActionDefinition[] => {
    if (!Array.isArray(list)) return [];
    const out: ActionDefinition[] = [];
    list.forEach((item, i) => {
      if (!isMap(item)) return;
      const entries = Object.entries(item);
      if (entries.length !== 1) return; // reported by the schema
      const [kind, rawParams] = entries[0];
      const actionPath: YamlPath = [...path, i, kind];
      const params: Record<string, unknown> =
        kind === 'render' && typeof rawParams === 'string' ? { template: rawParams } : isMap(rawParams) ? rawParams : {};
      if (kind === 'render' && typeof rawParams === 'string') checkTemplate(rawParams, actionPath);
      else if (kind === 'render' || kind === 'email') checkTemplate(params.template, [...actionPath, 'template']);
      if (kind === 'notify' && typeof params.role === 'string' && !roleNames.has(params.role)) {
        report(
          [...actionPath, 'role'],
          `the notify action names the role '${params.role}', which is not declared under 'roles'.${didYouMean(params.role, roleNames)}`,
        );
      }
      if (kind === 'emit' && typeof params.to === 'string' && params.to !== 'parent' && !params.to.startsWith('=')) {
        report(
          [...actionPath, 'to'],
          `'to' of an emit action is either 'parent' or an expression giving a business key, written with '=' (e.g. "=context.roundKey")`,
        );
      }
      const specs: Record<string, ValueSpec> = {};
      for (const [name, value] of Object.entries(params)) {
        specs[name] = (NAME_PARAMS[kind] ?? []).includes(name)
          ? { kind: 'literal', value }
          : valueSpec(value, kind === 'render' && typeof rawParams === 'string' ? actionPath : [...actionPath, name], checks);
      }
      out.push({ kind, params: specs, position: pos(actionPath, 'key') });
    });
    return out;
  };

  const buildAssign = (assign: unknown, path: YamlPath, checks: ExpressionChecks): Assignment[] => {
    if (!isMap(assign)) return [];
    return Object.entries(assign).map(([field, value]) => {
      const missing = undeclaredPath(contextSchema, field.split('.'));
      if (missing) {
        report(
          [...path, field],
          `assign: '${field}' is not a field of the context (see 'context' at the top); known fields${missing.at ? ` of '${missing.at}'` : ''}: ${quoteList(missing.known)}.${didYouMean(missing.field, missing.known)}`,
          'key',
        );
      }
      return { path: field, value: valueSpec(value, [...path, field], checks) };
    });
  };

  const buildBranch = (rawBranch: Raw, path: YamlPath, checks: ExpressionChecks, positionPath: YamlPath): BranchDefinition => {
    const target = str(rawBranch.target);
    if (target !== undefined && !firstSeen.has(target)) {
      report(
        [...path, 'target'],
        `the target state '${target}' does not exist.${didYouMean(target, stateNames)} Existing states: ${quoteList(stateNames)}`,
      );
    }
    const when = typeof rawBranch.when === 'string' ? expression(rawBranch.when, [...path, 'when'], 0, checks) : undefined;
    return {
      ...(when ? { when } : {}),
      ...(target !== undefined ? { target } : {}),
      assign: buildAssign(rawBranch.assign, [...path, 'assign'], checks),
      actions: buildActions(rawBranch.actions, [...path, 'actions'], checks),
      position: pos(positionPath, 'key'),
    };
  };

  const buildEvent = (type: string, rawEvent: Raw, path: YamlPath): EventDefinition => {
    const payloadSchema: JsonSchema = isMap(rawEvent.payload) ? rawEvent.payload : { type: 'object' };
    if (isMap(rawEvent.payload) && rawEvent.payload.type !== 'object') {
      report([...path, 'payload'], "the payload schema must describe a map: write 'type: object' at its top");
    }
    const compiled = compileUserSchema(ajv, payloadSchema);
    if (!compiled.ok) report([...path, 'payload'], `the payload schema is not a valid JSON Schema: ${compiled.message}`, 'key');
    const validate = compiled.ok ? compiled.validate : undefined;
    const checks = contextChecks(payloadSchema);
    const inlineKeys = ['when', 'target', 'assign', 'actions'].filter((k) => k in rawEvent);
    let branches: BranchDefinition[];
    if (Array.isArray(rawEvent.branches)) {
      for (const k of inlineKeys) {
        report([...path, k], `'${k}' cannot be used together with 'branches': move it into one of the branches`, 'key');
      }
      branches = rawEvent.branches.map((b, i) => buildBranch(isMap(b) ? b : {}, [...path, 'branches', i], checks, [...path, 'branches', i]));
      rawEvent.branches.forEach((b, i) => {
        if (isMap(b) && b.when === undefined && i < (rawEvent.branches as unknown[]).length - 1) {
          report(
            [...path, 'branches', i],
            `this branch has no 'when', so it is always taken: the ${(rawEvent.branches as unknown[]).length - 1 - i} branch(es) after it can never be reached`,
          );
        }
      });
    } else {
      branches = [buildBranch(rawEvent, path, checks, path)];
    }
    return {
      type,
      ...(str(rawEvent.title) ? { title: rawEvent.title as string } : {}),
      roles: checkRoles(rawEvent.roles, [...path, 'roles']),
      payloadSchema,
      validatePayload: (payload: unknown) => {
        if (!validate) return [{ path: '$', message: 'the payload schema of this event is invalid' }];
        const copy = jsonCopy(payload);
        return validate(copy) ? [] : toValidationErrors(validate.errors);
      },
      branches,
      position: pos(path, 'key'),
    };
  };

  // States.
  const states: Record<string, StateDefinition> = {};
  for (const s of rawStates) {
    const r = s.raw;
    const children = isMap(r.states) ? Object.keys(r.states).filter((c) => firstSeen.get(c)?.parent === s.name) : [];
    const isFinal = r.type === 'final';
    const kind: StateKind = isFinal ? 'final' : isMap(r.states) ? 'compound' : 'atomic';
    if (isFinal && r.on !== undefined) {
      report([...s.path, 'on'], `'${s.name}' is a final state: nothing happens after it, so it cannot have 'on' (remove 'type: final' or 'on')`, 'key');
    }
    if (isFinal && r.states !== undefined) {
      report([...s.path, 'states'], `'${s.name}' is a final state and cannot contain states`, 'key');
    }
    if (!isFinal && r.states !== undefined && r.initial === undefined) {
      report(s.path, `'${s.name}' contains states, so it needs 'initial: <the state entered first>' (one of ${quoteList(children)})`, 'key');
    }
    if (r.initial !== undefined && r.states === undefined) {
      report([...s.path, 'initial'], `'initial' is only used in a state that contains 'states'; '${s.name}' has none`, 'key');
    }
    if (r.states !== undefined) checkInitial(r.initial, children, [...s.path, 'initial'], `'${s.name}'`);
    const on: Record<string, EventDefinition> = {};
    if (isMap(r.on)) {
      for (const [type, rawEvent] of Object.entries(r.on)) {
        on[type] = buildEvent(type, isMap(rawEvent) ? rawEvent : {}, [...s.path, 'on', type]);
      }
    }
    const stateChecks = contextChecks(undefined);
    states[s.name] = {
      name: s.name,
      ...(str(r.title) ? { title: r.title as string } : {}),
      kind,
      path: s.namePath,
      ...(s.parent ? { parent: s.parent } : {}),
      ...(kind === 'compound' && typeof r.initial === 'string' ? { initial: r.initial } : {}),
      children,
      on,
      entry: buildActions(r.entry, [...s.path, 'entry'], stateChecks),
      exit: buildActions(r.exit, [...s.path, 'exit'], stateChecks),
      position: pos(s.path, 'key'),
    };
  }

  const startRoles = isMap(raw.start) ? checkRoles(raw.start.roles, ['start', 'roles']) : [];
  if (problems.length > 0) return { problems };

  const validateContext = validateContextFn as ValidateFunction;
  const definition: ProcessDefinition = {
    key: raw.key as string,
    title: raw.title as string,
    ...(str(raw.description) ? { description: raw.description as string } : {}),
    roles,
    rules,
    ruleValues,
    contextSchema,
    validateContext(context: unknown) {
      const value = (jsonCopy(context) ?? {}) as Record<string, unknown>;
      const ok = validateContext(value);
      return { errors: ok ? [] : toValidationErrors(validateContext.errors), value };
    },
    startRoles,
    initial: raw.initial as string,
    topStates,
    states,
    source: input.source,
  };
  return { definition, problems };
}

function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.startsWith('=');
  if (Array.isArray(value)) return value.some(containsExpression);
  if (isMap(value)) return Object.values(value).some(containsExpression);
  return false;
}

/** The first segment of a dotted path a schema level with `properties` does not declare. */
function undeclaredPath(schema: JsonSchema, segments: string[]): { field: string; known: string[]; at: string } | undefined {
  let level: unknown = schema;
  for (let i = 0; i < segments.length; i++) {
    if (!isMap(level) || !isMap(level.properties)) return undefined;
    const next = Object.hasOwn(level.properties, segments[i]) ? level.properties[segments[i]] : undefined;
    if (next === undefined) return { field: segments[i], known: Object.keys(level.properties), at: segments.slice(0, i).join('.') };
    level = next;
  }
  return undefined;
}

