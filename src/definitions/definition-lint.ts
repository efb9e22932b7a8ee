/**
 * Lint: warnings about a definition that loads but is probably not what its owner meant.
 * - `unreachable-state`: no sequence of events leads there from the initial state.
 * - `dead-end-state`: a state that is not final and that no event leaves.
 * - `unsendable-event`: an event no role may send (empty `roles`) and no process either (no
 *   `from`). An event only `system` may send is fine: deadlines and schedules send it.
 */
import type { LintFinding, ProcessDefinition, StateDefinition } from './definition.types';

/** The states entered when `name` is entered: its ancestors, itself, and its initial children. */
function entered(def: ProcessDefinition, name: string): string[] {
  const out: string[] = [];
  let state: StateDefinition | undefined = def.states[name];
  for (let s: StateDefinition | undefined = state; s; s = s.parent ? def.states[s.parent] : undefined) out.unshift(s.name);
  while (state?.kind === 'compound' && state.initial) {
    out.push(state.initial);
    state = def.states[state.initial];
  }
  return out;
}

/** The state and its ancestors, innermost first. */
function selfAndAncestors(def: ProcessDefinition, name: string): StateDefinition[] {
  const out: StateDefinition[] = [];
  for (let s: StateDefinition | undefined = def.states[name]; s; s = s.parent ? def.states[s.parent] : undefined) out.push(s);
  return out;
}

export function lintDefinition(def: ProcessDefinition): LintFinding[] {
  const findings: LintFinding[] = [];

  const reachable = new Set<string>();
  const queue = [...entered(def, def.initial)];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (reachable.has(name)) continue;
    reachable.add(name);
    for (const event of Object.values(def.states[name]?.on ?? {})) {
      for (const branch of event.branches) if (branch.target) queue.push(...entered(def, branch.target));
    }
  }
  for (const state of Object.values(def.states)) {
    if (!reachable.has(state.name)) {
      findings.push({
        ...state.position,
        rule: 'unreachable-state',
        message: `no event leads to the state '${state.name}' from the initial state '${def.initial}'`,
      });
    }
  }

  for (const state of Object.values(def.states)) {
    if (state.kind !== 'atomic') continue;
    const leaves = selfAndAncestors(def, state.name).some((s) =>
      Object.values(s.on).some((e) => e.branches.some((b) => b.target !== undefined && b.target !== state.name)),
    );
    if (!leaves) {
      findings.push({
        ...state.position,
        rule: 'dead-end-state',
        message: `'${state.name}' is not final, but no event leads out of it: add an event with a target, or mark it 'type: final'`,
      });
    }
  }

  for (const state of Object.values(def.states)) {
    for (const event of Object.values(state.on)) {
      if (event.roles.length === 0 && event.from.length === 0) {
        findings.push({
          ...event.position,
          rule: 'unsendable-event',
          message: `no role may send '${event.type}' in '${state.name}': its 'roles' list is empty`,
        });
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}
