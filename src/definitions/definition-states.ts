/**
 * Every state of the tree as a `StateDefinition`: its kind (atomic, compound, final) and the
 * rules each kind imposes, its events, entry and exit actions. Deadlines come later
 * (`definition-deadlines.ts`): they check the events of the states around them.
 */
import type { EventDefinition, StateDefinition, StateKind } from './definition.types';
import { isMap, str } from './definition-build-context';
import { checkRoles } from './definition-declarations';
import { buildActions } from './definition-actions';
import { buildEvent } from './definition-events';
import type { DefinitionScope } from './definition-scope';
import { checkInitial } from './definition-state-tree';
import { expressionChecks } from './definition-values';
import { quoteList } from './did-you-mean.util';

/** The states by name, in tree order, each with `deadlines: []`. */
export function buildStates(scope: DefinitionScope): Record<string, StateDefinition> {
  const { report, pos, tree } = scope;
  const states: Record<string, StateDefinition> = {};
  for (const s of tree.rawStates) {
    const r = s.raw;
    const children = isMap(r.states) ? Object.keys(r.states).filter((c) => tree.firstSeen.get(c)?.parent === s.name) : [];
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
    if (r.states !== undefined) checkInitial(scope, tree, r.initial, children, [...s.path, 'initial'], `'${s.name}'`);
    const on: Record<string, EventDefinition> = {};
    if (isMap(r.on)) {
      for (const [type, rawEvent] of Object.entries(r.on)) {
        on[type] = buildEvent(scope, type, isMap(rawEvent) ? rawEvent : {}, [...s.path, 'on', type]);
      }
    }
    const stateChecks = expressionChecks(scope.declared, undefined);
    states[s.name] = {
      name: s.name,
      ...(str(r.title) ? { title: r.title as string } : {}),
      kind,
      path: s.namePath,
      ...(s.parent ? { parent: s.parent } : {}),
      ...(kind === 'compound' && typeof r.initial === 'string' ? { initial: r.initial } : {}),
      children,
      on,
      entry: buildActions(scope, r.entry, [...s.path, 'entry'], stateChecks),
      exit: buildActions(scope, r.exit, [...s.path, 'exit'], stateChecks),
      deadlines: [],
      ...(isMap(r.assignment)
        ? {
            assignment: {
              reassignBy: checkRoles(scope, scope.declared, r.assignment.reassignBy, [...s.path, 'assignment', 'reassignBy']),
              ...(typeof r.assignment.remindEveryHours === 'number' ? { remindEveryHours: r.assignment.remindEveryHours } : {}),
            },
          }
        : {}),
      position: pos(s.path, 'key'),
    };
  }
  return states;
}
