/**
 * State deadlines (`deadlines:` under a state): the phrase (`after: 3 working days`,
 * `at: end of day`, `at: context.dueAt`, `after: rules.replyWithin`) with the rule or context
 * field it refers to, and the event it sends, which the state (or one around it) must accept
 * from `system`, with a payload that matches when it is known at load time.
 */
import { parseDeadline, type DeadlineSpec } from '../calendar/deadline-spec';
import { RESUME_MODES, type DeadlineDefinition, type DeadlineSuspension, type ResumeMode, type StateDefinition } from './definition.types';
import { isMap, lacksSystem, str, undeclaredPath } from './definition-build-context';
import type { Declarations } from './definition-declarations';
import type { DefinitionScope } from './definition-scope';
import { expressionChecks, literalValues, mapValues } from './definition-values';
import { didYouMean, quoteList } from './did-you-mean.util';
import type { YamlPath } from './yaml-locator';

/**
 * Fills in the deadlines of every state in `states` (built without them), in place: they
 * check the events of the states around them, so they come after all states are built.
 */
export function addDeadlines(scope: DefinitionScope, states: Record<string, StateDefinition>): void {
  const { report, pos } = scope;
  const ancestorsAndSelf = (name: string): StateDefinition[] => {
    const out: StateDefinition[] = [];
    for (let st: StateDefinition | undefined = states[name]; st; st = st.parent ? states[st.parent] : undefined) out.push(st);
    return out;
  };

  for (const s of scope.tree.rawStates) {
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
          report([...path, keyword], `'${phrase}' repeats, but a state deadline happens once; a recurring schedule belongs under 'schedules' at the top level`);
        } else {
          const parsed = parseDeadline(`${keyword}: ${phrase}`);
          if (!parsed.ok) {
            report([...path, keyword], parsed.error);
          } else {
            const problem = referenceProblem(scope.declared, parsed.spec);
            if (problem) report([...path, keyword], problem);
            else spec = parsed.spec;
          }
        }
      }
      const payload = mapValues(scope, item.payload, [...path, 'payload'], expressionChecks(scope.declared, undefined));
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
              report([...path, 'send'], `deadline sends '${event}' but that event's roles in '${inner.name}' do not include system; add system to its roles`);
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
      const suspend = item.suspend === undefined ? undefined : buildSuspension(scope, states, s.name, item.suspend, [...path, 'suspend']);
      if (spec && event !== undefined) {
        deadlines.push({ name: `${s.name}#${i}`, spec, event, payload, ...(suspend ? { suspend } : {}), position: pos(path) });
      }
    });
    states[s.name] = { ...state, deadlines };
  }
}

/**
 * `suspend: { in: [held], resume: remaining | full | rules.<name> }`: the holding states exist
 * and lie outside the deadline's state (a state inside it never leaves it), and the mode is one
 * of the two, directly or as the value of a declared rule.
 */
function buildSuspension(
  scope: DefinitionScope,
  states: Readonly<Record<string, StateDefinition>>,
  stateName: string,
  raw: unknown,
  path: YamlPath,
): DeadlineSuspension | undefined {
  const { report } = scope;
  if (!isMap(raw) || !Array.isArray(raw.in) || typeof raw.resume !== 'string') return undefined; // reported by the schema
  const names = Object.keys(states);
  const holding: string[] = [];
  raw.in.forEach((name, i) => {
    if (typeof name !== 'string') return;
    const st = states[name];
    if (!st) {
      report([...path, 'in', i], `'suspend' names the state '${name}', which does not exist; existing states: ${quoteList(names)}.${didYouMean(name, names)}`);
    } else if (name === stateName || st.path.includes(stateName) || (states[stateName]?.path ?? []).includes(name)) {
      report(
        [...path, 'in', i],
        `'suspend' names '${name}', which is '${stateName}' itself or contains it or lies inside it: the case never leaves '${stateName}' for it. Name the state the case waits in instead (e.g. held)`,
      );
    } else holding.push(name);
  });
  const text = raw.resume.trim();
  const modes = quoteList(RESUME_MODES);
  let resume: DeadlineSuspension['resume'] | undefined;
  if ((RESUME_MODES as readonly string[]).includes(text)) resume = { kind: 'mode', mode: text as ResumeMode };
  else if (text.startsWith('rules.')) {
    const name = text.slice('rules.'.length);
    const { ruleNames, ruleValues } = scope.declared;
    if (!ruleNames.has(name)) {
      report([...path, 'resume'], `unknown rule '${name}'; declared rules: ${quoteList(ruleNames)}.${didYouMean(name, ruleNames)}`);
    } else if (!(RESUME_MODES as readonly unknown[]).includes(ruleValues[name])) {
      report(
        [...path, 'resume'],
        `the rule '${name}' is ${JSON.stringify(ruleValues[name]) ?? 'empty'}, but 'resume' needs one of ${modes}: set its value to remaining or full`,
      );
    } else resume = { kind: 'rule', name };
  } else {
    report(
      [...path, 'resume'],
      `'resume' is '${text}'; write ${modes} (the time that was left, or the whole period afresh) or a rule holding one of them (rules.<name>)`,
    );
  }
  return resume && holding.length === raw.in.length ? { in: holding, resume } : undefined;
}

/** Why a deadline's rule or context reference cannot be used, if it cannot. */
function referenceProblem(declared: Declarations, spec: DeadlineSpec): string | undefined {
  const { ruleNames, ruleValues, contextSchema } = declared;
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
