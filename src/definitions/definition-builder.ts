/**
 * Builds the typed `ProcessDefinition` from the parsed YAML and checks every cross-reference:
 * initial states, targets, roles, rules, expressions, context fields, templates, unique state
 * names. Written to tolerate a document the JSON Schema already refused (wrong shapes are
 * skipped, not crashed on), so all problems of a file are reported together.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import { compileExpression, type ExpressionChecks } from '../compiler/expression';
import { parseDeadline, type DeadlineSpec, type RecurringSpec } from '../scheduler/deadline-spec';
import type {
  ComputeDefinition,
  ActionDefinition,
  Assignment,
  BranchDefinition,
  CompiledExpression,
  DeadlineDefinition,
  DefinitionProblem,
  EventDefinition,
  ExpressionScope,
  JsonSchema,
  ProcessDefinition,
  RoleDefinition,
  RuleDefinition,
  ScheduleDefinition,
  SourcePosition,
  StateDefinition,
  StateKind,
  ValueSpec,
} from './definition.types';
import { didYouMean, quoteList } from './did-you-mean.util';
import type { DomainFunctionLookup } from './definition-loader';
import { compileUserSchema, createSchemaAjv, jsonCopy, toValidationErrors } from './json-schema.util';
import type { YamlLocator, YamlPath } from './yaml-locator';

/** The engine's own actor (deadlines, automatic steps): usable without declaring it. */
export const SYSTEM_ROLE = 'system';

/**
 * Fields the engine adds to the data of every rendered template, besides the context:
 * a template may read them whatever the context schema says.
 */
export const TEMPLATE_META_FIELDS = ['businessKey', 'renderedAt', 'instanceId', 'definitionTitle', 'stateTitle'] as const;

/** Action parameters that are names, never expressions. */
const NAME_PARAMS: Readonly<Record<string, readonly string[]>> = {
  render: ['template'],
  post: ['template'],
  notify: ['role'],
  email: ['template'],
  emit: ['event', 'definition'],
  start: ['definition'],
  apply: ['function'],
};

interface BuildInput {
  readonly locator: YamlLocator;
  readonly templates?: { has(name: string): boolean; fields?(name: string): readonly string[]; readonly dir?: string };
  /** When given, every `compute` must name one of these domain functions, every `apply` one of the writers. */
  readonly functions?: DomainFunctionLookup;
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
    else report(['context', ...(compiled.at ?? [])], `the context schema is not a valid JSON Schema: ${compiled.message}`, compiled.which ?? 'key');
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

  /** The template exists, and every top-level field it reads is a context property or a meta field. */
  const checkTemplate = (name: unknown, path: YamlPath, actionPath: YamlPath) => {
    if (typeof name !== 'string' || !input.templates) return;
    if (!input.templates.has(name)) {
      const dir = input.templates.dir ?? 'the templates folder';
      report(path, `the template '${name}' does not exist: expected the file ${dir.replace(/\/?$/, '/')}${name}.hbs`);
      return;
    }
    const properties = isMap(contextSchema.properties) ? contextSchema.properties : undefined;
    if (!properties || !input.templates.fields) return;
    let fields: readonly string[];
    try {
      fields = input.templates.fields(name);
    } catch (error) {
      report(path, `the template '${name}' cannot be read: ${(error as Error).message}`);
      return;
    }
    const meta: readonly string[] = TEMPLATE_META_FIELDS;
    for (const field of new Set(fields.map((f) => f.split('.')[0]))) {
      if (Object.hasOwn(properties, field) || meta.includes(field)) continue;
      report(
        actionPath,
        `template '${name}' reads '${field}', which the context schema does not declare; declare it under context.properties or change the template`,
        'key',
      );
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
      if (kind === 'render' && typeof rawParams === 'string') checkTemplate(rawParams, actionPath, actionPath);
      else if (kind === 'render' || kind === 'email' || kind === 'post') checkTemplate(params.template, [...actionPath, 'template'], actionPath);
      if (kind === 'apply' && typeof params.function === 'string' && input.functions && !input.functions.hasWriter(params.function)) {
        const known = input.functions.writerNames();
        report([...actionPath, 'function'],
          `there is no domain writer '${params.function}' for 'apply'; known writers: ${quoteList([...known])}.${didYouMean(params.function, [...known])}`);
      }
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
      if (kind === 'emit' && typeof params.to === 'string' && params.to !== 'parent' && params.definition === undefined) {
        // To instances of this same process, found by business key: it must accept the event from system.
        const event = str(params.event);
        const declaring = rawStates.filter((st) => isMap(st.raw.on) && isMap(st.raw.on[event ?? '']));
        if (event !== undefined && declaring.length === 0) {
          report(
            [...actionPath, 'event'],
            `the emit action sends '${event}' to an instance of this process (no 'definition' given), but no state here accepts '${event}'; declare it with roles [system], or name the other process in 'definition'`,
          );
        }
        for (const st of declaring) {
          const roles = (st.raw.on as Raw)[event as string] as Raw;
          if (Array.isArray(roles.roles) && !roles.roles.includes(SYSTEM_ROLE)) {
            report(
              [...actionPath, 'event'],
              `the emit action sends '${event}' but that event's roles in '${st.name}' do not include system; add system to its roles`,
            );
          }
        }
      }
      if (kind === 'emit' && params.to === 'parent' && params.definition !== undefined) {
        report(
          [...actionPath, 'definition'],
          "an emit to 'parent' goes to the instance that started this one, whose process is known: remove 'definition'",
          'key',
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
    const reject = typeof rawBranch.reject === 'string' ? valueSpec(rawBranch.reject, [...path, 'reject'], checks) : undefined;
    if (reject) {
      for (const k of ['target', 'assign', 'actions'].filter((key) => key in rawBranch)) {
        report([...path, k], `a branch with 'reject' refuses the event, so it cannot also have '${k}': move '${k}' into another branch`, 'key');
      }
    }
    return {
      ...(when ? { when } : {}),
      ...(reject ? { reject } : {}),
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
    if (!compiled.ok) report([...path, 'payload', ...(compiled.at ?? [])], `the payload schema is not a valid JSON Schema: ${compiled.message}`, compiled.which ?? 'key');
    const validate = compiled.ok ? compiled.validate : undefined;
    // Computed fields are filled in by the engine: the sender's payload is validated without them,
    // and expressions may read them as payload fields.
    const computeFields = isMap(rawEvent.compute) ? Object.keys(rawEvent.compute) : [];
    const payloadProperties = isMap(payloadSchema.properties) ? payloadSchema.properties : undefined;
    const checks = contextChecks(payloadProperties && computeFields.length
      ? { ...payloadSchema, properties: { ...payloadProperties, ...Object.fromEntries(computeFields.map((f) => [f, {}])) } }
      : payloadSchema);
    const compute: ComputeDefinition[] = computeFields.map((field) => {
      const rawSpec = (rawEvent.compute as Raw)[field];
      const fieldPath = [...path, 'compute', field];
      const name = typeof rawSpec === 'string' ? rawSpec : isMap(rawSpec) ? str(rawSpec.function) ?? '' : '';
      if (payloadProperties && field in payloadProperties) {
        report(fieldPath, `'${field}' is computed by the engine, so it cannot also be a payload field the sender fills in`, 'key');
      }
      if (name && input.functions && !input.functions.has(name)) {
        const known = input.functions.names();
        report(typeof rawSpec === 'string' ? fieldPath : [...fieldPath, 'function'],
          `there is no domain function '${name}'; known functions: ${quoteList([...known])}.${didYouMean(name, [...known])}`);
      }
      return {
        field, function: name,
        args: isMap(rawSpec) && isMap(rawSpec.with)
          ? Object.fromEntries(Object.entries(rawSpec.with).map(([k, v]) => [k, valueSpec(v, [...fieldPath, 'with', k], checks)]))
          : {},
        position: pos(fieldPath, 'key'),
      };
    });
    const inlineKeys = ['when', 'reject', 'target', 'assign', 'actions'].filter((k) => k in rawEvent);
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
      deadlines: [],
      position: pos(s.path, 'key'),
    };
  }

  const startRoles = isMap(raw.start) ? checkRoles(raw.start.roles, ['start', 'roles']) : [];

  // Deadlines (need every state's events, so after the states).
  const mapValues = (rawMap: unknown, path: YamlPath, checks: ExpressionChecks): Record<string, ValueSpec> => {
    if (!isMap(rawMap)) return {};
    return Object.fromEntries(Object.entries(rawMap).map(([k, v]) => [k, valueSpec(v, [...path, k], checks)]));
  };
  const literalValues = (specs: Record<string, ValueSpec>): Record<string, unknown> | undefined =>
    Object.values(specs).every((v) => v.kind === 'literal')
      ? Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, (v as { value: unknown }).value]))
      : undefined;
  const ancestorsAndSelf = (name: string): StateDefinition[] => {
    const out: StateDefinition[] = [];
    for (let st: StateDefinition | undefined = states[name]; st; st = st.parent ? states[st.parent] : undefined) out.push(st);
    return out;
  };
  const lacksSystem = (event: EventDefinition) => !event.roles.includes(SYSTEM_ROLE);
  const referenceProblem = (spec: DeadlineSpec): string | undefined => {
    if (spec.kind === 'rule') {
      if (!ruleNames.has(spec.name)) {
        return `unknown rule '${spec.name}'; declared rules: ${quoteList(ruleNames)}.${didYouMean(spec.name, ruleNames)}`;
      }
      return ruleDurationProblem(spec.name, ruleValues[spec.name]);
    }
    if (spec.kind === 'context') {
      const missing = undeclaredPath(contextSchema, spec.path.split('.'));
      if (missing) {
        return `'${missing.field}' is not a field of ${missing.at ? `'context.${missing.at}'` : 'the context'} (in 'context.${spec.path}'); known fields: ${quoteList(missing.known)}.${didYouMean(missing.field, missing.known)}`;
      }
    }
    return undefined;
  };

  for (const s of rawStates) {
    const list = s.raw.deadlines;
    const state = states[s.name];
    if (!Array.isArray(list) || !state) continue;
    const deadlines: DeadlineDefinition[] = [];
    list.forEach((item, i) => {
      if (!isMap(item)) return;
      const path: YamlPath = [...s.path, 'deadlines', i];
      let spec: DeadlineSpec | undefined;
      const keyword = item.after !== undefined ? 'after' : item.at !== undefined ? 'at' : undefined;
      if (item.after !== undefined && item.at !== undefined) {
        report([...path, 'at'], "a deadline has either 'after' (a duration) or 'at' (a moment), not both", 'key');
      } else if (!keyword) {
        report(path, "a deadline needs 'after' (e.g. 'after: 3 working days') or 'at' (e.g. 'at: end of day')", 'value');
      } else if (typeof item[keyword] === 'string') {
        const phrase = (item[keyword] as string).trim();
        const alone = parseDeadline(phrase);
        if (alone.ok && alone.spec.kind === 'every') {
          report(
            [...path, keyword],
            `'${phrase}' repeats, but a state deadline happens once; a recurring schedule belongs under 'schedules' at the top level`,
          );
        } else {
          const parsed = parseDeadline(`${keyword}: ${phrase}`);
          if (!parsed.ok) {
            report([...path, keyword], parsed.error);
          } else {
            const problem = referenceProblem(parsed.spec);
            if (problem) report([...path, keyword], problem);
            else spec = parsed.spec;
          }
        }
      }
      const payload = mapValues(item.payload, [...path, 'payload'], contextChecks(undefined));
      const event = str(item.send);
      if (event !== undefined) {
        const accepting = ancestorsAndSelf(s.name).find((st) => Object.hasOwn(st.on, event));
        const declared = accepting?.on[event];
        if (!declared) {
          const known = [...new Set(ancestorsAndSelf(s.name).flatMap((st) => Object.keys(st.on)))];
          report(
            [...path, 'send'],
            `the deadline sends '${event}', which '${s.name}' does not accept: declare it under 'on' of '${s.name}' (or of a state around it) with roles [system]; accepted here: ${quoteList(known)}.${didYouMean(event, known)}`,
          );
        } else {
          if (lacksSystem(declared)) {
            report([...path, 'send'], `deadline sends '${event}' but that event's roles do not include system; add system to its roles`);
          }
          // An inner state may declare the event again (the innermost wins): it must accept system too.
          for (const inner of Object.values(states)) {
            if (inner.name === s.name || !inner.path.includes(s.name)) continue;
            const override = inner.on[event];
            if (override && lacksSystem(override)) {
              report(
                [...path, 'send'],
                `deadline sends '${event}' but that event's roles in '${inner.name}' do not include system; add system to its roles`,
              );
            }
          }
          const literal = literalValues(payload);
          if (literal) {
            const errors = declared.validatePayload(literal);
            if (errors.length > 0) {
              report(
                item.payload === undefined ? [...path, 'send'] : [...path, 'payload'],
                `the payload this deadline sends does not match the payload of '${event}': ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
              );
            }
          }
        }
      }
      if (spec && event !== undefined) {
        deadlines.push({ name: `${s.name}#${i}`, spec, event, payload, position: pos(path) });
      }
    });
    states[s.name] = { ...state, deadlines };
  }

  // Schedules.
  const schedules: ScheduleDefinition[] = [];
  if (isMap(raw.schedules)) {
    const allEvents = [...new Set(Object.values(states).flatMap((st) => Object.keys(st.on)))];
    for (const [name, item] of Object.entries(raw.schedules)) {
      if (!isMap(item)) continue;
      const path: YamlPath = ['schedules', name];
      let spec: RecurringSpec | undefined;
      if (typeof item.every === 'string') {
        const phrase = item.every.trim();
        const parsed = parseDeadline(/^every\s/i.test(phrase) ? phrase : `every ${phrase}`);
        if (!parsed.ok) {
          const alone = parseDeadline(phrase);
          report(
            [...path, 'every'],
            alone.ok && alone.spec.kind !== 'every'
              ? `'${phrase}' happens once, but a schedule repeats: write e.g. 'every: month on day 1 at 09:00' (a one-off deadline belongs under a state's 'deadlines')`
              : parsed.error,
          );
        } else if (parsed.spec.kind === 'every') {
          spec = parsed.spec;
        }
      }
      const scheduleChecks = contextChecks(undefined);
      const hasStart = isMap(item.start);
      const hasSend = isMap(item.send);
      if (hasStart === hasSend) {
        report(path, "a schedule needs exactly one of 'start' (start an instance of this process) or 'send' (send an event to one)", 'key');
      }
      let start: ScheduleDefinition['start'];
      if (isMap(item.start)) {
        if (!startRoles.includes(SYSTEM_ROLE)) {
          report(
            [...path, 'start'],
            `the schedule '${name}' starts an instance, but 'start.roles' does not include system; add system to start.roles`,
            'key',
          );
        }
        const contextMap = isMap(item.start.context) ? item.start.context : {};
        for (const field of Object.keys(contextMap)) {
          const missing = undeclaredPath(contextSchema, [field]);
          if (missing) {
            report(
              [...path, 'start', 'context', field],
              `'${field}' is not a field of the context; known fields: ${quoteList(missing.known)}.${didYouMean(field, missing.known)}`,
              'key',
            );
          }
        }
        start = {
          businessKey: valueSpec(item.start.businessKey, [...path, 'start', 'businessKey'], scheduleChecks),
          context: mapValues(item.start.context, [...path, 'start', 'context'], scheduleChecks),
        };
      }
      let send: ScheduleDefinition['send'];
      if (isMap(item.send) && typeof item.send.event === 'string') {
        const event = item.send.event;
        const declarations = Object.values(states).filter((st) => Object.hasOwn(st.on, event));
        if (declarations.length === 0) {
          report(
            [...path, 'send', 'event'],
            `the schedule sends '${event}', which no state accepts; declare it under 'on' with roles [system].${didYouMean(event, allEvents)}`,
          );
        }
        for (const st of declarations) {
          if (lacksSystem(st.on[event])) {
            report(
              [...path, 'send', 'event'],
              `the schedule sends '${event}' but that event's roles in '${st.name}' do not include system; add system to its roles`,
            );
          }
        }
        send = {
          event,
          to: valueSpec(item.send.to, [...path, 'send', 'to'], scheduleChecks),
          payload: mapValues(item.send.payload, [...path, 'send', 'payload'], scheduleChecks),
        };
      }
      if (spec) {
        schedules.push({
          name,
          ...(str(item.title) ? { title: item.title as string } : {}),
          spec,
          ...(start ? { start } : {}),
          ...(send ? { send } : {}),
          position: pos(path, 'key'),
        });
      }
    }
  }
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
    schedules,
    source: input.source,
  };
  return { definition, problems };
}

/** Why a rule's value cannot be a deadline (a whole number of days or a duration phrase), if it cannot. */
function ruleDurationProblem(name: string, value: unknown): string | undefined {
  const fix = "write a whole number of calendar days (e.g. 7) or a phrase such as '3 working days'";
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? undefined : `the rule '${name}' is ${value}, which is not a duration: ${fix}`;
  }
  if (typeof value === 'string') {
    const parsed = parseDeadline(value);
    const usable = parsed.ok && ['workingDays', 'days', 'hours', 'minutes', 'endOfDay'].includes(parsed.spec.kind);
    return usable ? undefined : `the rule '${name}' is '${value}', which is not a duration: ${fix}`;
  }
  return `the rule '${name}' is ${JSON.stringify(value) ?? 'empty'}, which is not a duration: ${fix}`;
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

