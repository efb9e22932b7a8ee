/**
 * Which process may reach which: the receiving side's allow-list (`from:` on an event,
 * `start.from`) read against the sending side's `emit`/`start` actions. Pure: the registry
 * runs it when a definition is uploaded (against the stored definitions and the others of a
 * folder), and the engine's delivery relies on the same reading of `from:` (see
 * `compiler/process-machine.ts`).
 *
 * `system` in an event's roles or in `start.roles` means the engine itself (deadlines,
 * schedules); it never lets another process in.
 */
import type { ActionDefinition, DefinitionProblem, ProcessDefinition, SourcePosition, ValueSpec } from './definition.types';
import { undeclaredCorrelationKeys, undeclaredCorrelationMessage } from './definition-correlation';

/** One `emit` or `start` action aimed at another case, as written. */
export interface CrossProcessAction {
  readonly kind: 'emit' | 'start';
  /** The receiving definition's key; `parent` for `emit … to: parent` (known only at delivery). */
  readonly target: string;
  /** For an emit: the event sent (undefined when it is not a literal). */
  readonly event?: string;
  /** For an emit `where:`: the correlation keys it finds the receiving cases by. */
  readonly where?: readonly string[];
  readonly position: SourcePosition;
}

const literal = (action: ActionDefinition, name: string): string | undefined => {
  const spec = action.params[name];
  return spec?.kind === 'literal' && typeof spec.value === 'string' ? spec.value : undefined;
};

/** The keys of a `where:` map, whether it holds expressions or only literals. */
function whereKeys(spec: ValueSpec): string[] {
  if (spec.kind === 'literal') return spec.value && typeof spec.value === 'object' ? Object.keys(spec.value) : [];
  try {
    return Object.keys(JSON.parse(spec.expression.source) as object);
  } catch {
    return [];
  }
}

/** Every action of the definition (entries, exits, branches), in state order. */
function allActions(def: ProcessDefinition): ActionDefinition[] {
  return Object.values(def.states).flatMap((s) => [...s.entry, ...s.exit, ...Object.values(s.on).flatMap((e) => e.branches.flatMap((b) => b.actions))]);
}

/** The `emit`/`start` actions of a definition with the process each one reaches. */
export function crossProcessActions(def: ProcessDefinition): CrossProcessAction[] {
  const out: CrossProcessAction[] = [];
  for (const action of allActions(def)) {
    if (action.kind === 'start') {
      const target = literal(action, 'definition');
      if (target) out.push({ kind: 'start', target, position: action.position });
    } else if (action.kind === 'emit') {
      const to = action.params.to;
      const toParent = to?.kind === 'literal' && to.value === 'parent';
      const where = action.params.where;
      out.push({
        kind: 'emit',
        target: toParent ? 'parent' : (literal(action, 'definition') ?? def.key),
        event: literal(action, 'event'),
        ...(where ? { where: whereKeys(where) } : {}),
        position: action.position,
      });
    }
  }
  return out;
}

/** The states of `def` where `event` is accepted from the process `sender` (empty: nowhere). */
export function statesAcceptingFrom(def: ProcessDefinition, event: string, sender: string): string[] {
  return Object.values(def.states)
    .filter((s) => Object.hasOwn(s.on, event) && s.on[event].from.includes(sender))
    .map((s) => s.name);
}

/** True when `def` lets the process `sender` send `event` (in some state) or, for a start, open a case. */
export function accepts(def: ProcessDefinition, action: Pick<CrossProcessAction, 'kind' | 'event'>, sender: string): boolean {
  if (action.kind === 'start') return def.startFrom.includes(sender);
  return action.event === undefined || statesAcceptingFrom(def, action.event, sender).length > 0;
}

/**
 * What the receiving definition would have to declare to accept the action from `sender`,
 * in words a process owner can act on.
 */
export function missingAcceptance(target: ProcessDefinition, action: Pick<CrossProcessAction, 'kind' | 'event'>, sender: string): string {
  const file = target.source.file.split('/').pop();
  if (action.kind === 'start') {
    return `'${target.key}' does not accept being started by '${sender}': ${file} would have to list ${sender} under start.from (start: { from: [${sender}] })`;
  }
  const event = action.event as string;
  const declaring = Object.values(target.states).filter((s) => Object.hasOwn(s.on, event));
  if (declaring.length === 0) {
    return `no state of '${target.key}' accepts '${event}': ${file} would have to declare '${event}' with from: [${sender}]`;
  }
  return `'${target.key}' does not accept '${event}' from '${sender}': ${file} would have to list ${sender} under 'from' of '${event}' (declared in ${declaring
    .map((s) => `'${s.name}'`)
    .join(', ')})`;
}

/** The problem of one action whose target does not accept it from `sender`, at the action. */
export function acceptanceProblem(action: CrossProcessAction, target: ProcessDefinition, sender: string): DefinitionProblem | undefined {
  const undeclared = undeclaredCorrelationKeys(target, action.where ?? []);
  if (undeclared.length > 0) {
    return { ...action.position, message: `the emit action finds '${target.key}' cases by 'where', but ${undeclaredCorrelationMessage(target, undeclared)}` };
  }
  if (accepts(target, action, sender)) return undefined;
  const what = action.kind === 'start' ? `the start action starts '${target.key}'` : `the emit action sends '${action.event}' to '${target.key}'`;
  return { ...action.position, message: `${what}, but ${missingAcceptance(target, action, sender)}` };
}
