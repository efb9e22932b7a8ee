/**
 * Top-level `schedules:`: a recurring phrase (`every: month on day 1 at 09:00`, or a rule
 * holding one: `every: rules.surveyCadence`) that either starts an instance of this process
 * (then `start.roles` must include `system`) or sends an event to one found by business key
 * (then every state accepting it must accept `system`); with `forEach:` once per element of a
 * list, which the schedule's expressions read as `payload`.
 */
import { parseDeadline, type RecurringSpec } from '../calendar/deadline-spec';
import type { ScheduleDefinition, StateDefinition } from './definition.types';
import { isMap, lacksSystem, str, SYSTEM_ROLE, undeclaredPath } from './definition-build-context';
import type { DefinitionScope } from './definition-scope';
import { expressionChecks, mapValues, valueSpec } from './definition-values';
import { didYouMean, quoteList } from './did-you-mean.util';
import type { YamlPath } from './yaml-locator';

export function buildSchedules(
  scope: DefinitionScope,
  rawSchedules: unknown,
  states: Record<string, StateDefinition>,
  startRoles: readonly string[],
): ScheduleDefinition[] {
  const { report, pos } = scope;
  const { contextSchema } = scope.declared;
  const schedules: ScheduleDefinition[] = [];
  if (!isMap(rawSchedules)) return schedules;
  const allEvents = [...new Set(Object.values(states).flatMap((st) => Object.keys(st.on)))];
  for (const [name, item] of Object.entries(rawSchedules)) {
    if (!isMap(item)) continue;
    const path: YamlPath = ['schedules', name];
    let spec: RecurringSpec | undefined;
    if (typeof item.every === 'string') {
      let phrase = item.every.trim();
      const ruleRef = /^rules\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(phrase);
      if (ruleRef) {
        const { ruleNames, ruleValues } = scope.declared;
        const value = ruleValues[ruleRef[1]];
        if (!ruleNames.has(ruleRef[1])) {
          report(
            [...path, 'every'],
            `the schedule repeats by the rule '${ruleRef[1]}', which is not declared under 'rules'.${didYouMean(ruleRef[1], [...ruleNames])}`,
          );
          continue;
        }
        if (typeof value !== 'string') {
          report(
            [...path, 'every'],
            `the rule '${ruleRef[1]}' is ${JSON.stringify(value)}: a schedule's rule must hold a repeating phrase such as 'half year on day 1 at 09:00'`,
          );
          continue;
        }
        phrase = value.trim();
      }
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
    const scheduleChecks = expressionChecks(scope.declared, undefined);
    const forEach = item.forEach === undefined ? undefined : valueSpec(scope, item.forEach, [...path, 'forEach'], scheduleChecks);
    if (forEach?.kind === 'literal' && !Array.isArray(forEach.value)) {
      report(
        [...path, 'forEach'],
        "'forEach' takes a list, or an expression giving one (e.g. '=rules.surveyedProjects'); each element is 'payload' in the schedule's expressions",
      );
    }
    const hasStart = isMap(item.start);
    const hasSend = isMap(item.send);
    if (hasStart === hasSend) {
      report(path, "a schedule needs exactly one of 'start' (start an instance of this process) or 'send' (send an event to one)", 'key');
    }
    let start: ScheduleDefinition['start'];
    if (isMap(item.start)) {
      if (!startRoles.includes(SYSTEM_ROLE)) {
        report([...path, 'start'], `the schedule '${name}' starts an instance, but 'start.roles' does not include system; add system to start.roles`, 'key');
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
        businessKey: valueSpec(scope, item.start.businessKey, [...path, 'start', 'businessKey'], scheduleChecks),
        context: mapValues(scope, item.start.context, [...path, 'start', 'context'], scheduleChecks),
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
        to: valueSpec(scope, item.send.to, [...path, 'send', 'to'], scheduleChecks),
        payload: mapValues(scope, item.send.payload, [...path, 'send', 'payload'], scheduleChecks),
      };
    }
    if (spec) {
      schedules.push({
        name,
        ...(str(item.title) ? { title: item.title as string } : {}),
        spec,
        ...(forEach ? { forEach } : {}),
        ...(start ? { start } : {}),
        ...(send ? { send } : {}),
        position: pos(path, 'key'),
      });
    }
  }
  return schedules;
}
