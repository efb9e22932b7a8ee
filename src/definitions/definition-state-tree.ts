/**
 * The tree of states as written, before anything is built from it: every state with its YAML
 * path and parent, names unique across all levels (a target is just a name), and the check
 * that an `initial` names a state of the right level.
 */
import { isMap, type BuildContext, type Raw } from './definition-build-context';
import { didYouMean, quoteList } from './did-you-mean.util';
import type { YamlPath } from './yaml-locator';

/** One state as written: its map (empty when it is not a map), where it is, and its parent. */
export interface RawState {
  readonly name: string;
  readonly raw: Raw;
  readonly path: YamlPath;
  /** State names from the top level down to this one. */
  readonly namePath: string[];
  readonly parent?: string;
}

export interface StateTree {
  /** Every state, parents before their children, in YAML order; a repeated name only once. */
  readonly rawStates: readonly RawState[];
  /** The first state written with each name. */
  readonly firstSeen: ReadonlyMap<string, RawState>;
  readonly stateNames: readonly string[];
  readonly topStates: string[];
}

/**
 * Collects the states (reporting a name used twice at any level) and checks the top-level
 * `initial`.
 */
export function collectStates(ctx: BuildContext, raw: Raw): StateTree {
  const rawStates: RawState[] = [];
  const firstSeen = new Map<string, RawState>();
  const collect = (statesRaw: unknown, path: YamlPath, namePath: string[], parent?: string) => {
    if (!isMap(statesRaw)) return;
    for (const [name, value] of Object.entries(statesRaw)) {
      const state: RawState = { name, raw: isMap(value) ? value : {}, path: [...path, name], namePath: [...namePath, name], parent };
      const first = firstSeen.get(name);
      if (first) {
        ctx.report(
          state.path,
          `the state name '${name}' is used twice (first at line ${ctx.pos(first.path, 'key').line}); state names must be unique at every level, because a target is just a name`,
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
  const tree: StateTree = {
    rawStates,
    firstSeen,
    stateNames: [...firstSeen.keys()],
    topStates: isMap(raw.states) ? Object.keys(raw.states) : [],
  };
  checkInitial(ctx, tree, raw.initial, tree.topStates, ['initial'], 'the definition');
  return tree;
}

/** Reports an `initial` (of the definition or of `owner`) that is not one of `children`. */
export function checkInitial(ctx: BuildContext, tree: StateTree, initial: unknown, children: string[], path: YamlPath, owner: string): void {
  if (typeof initial !== 'string') return;
  if (!children.includes(initial)) {
    const hint = didYouMean(initial, children);
    const elsewhere = tree.firstSeen.has(initial) ? ` ('${initial}' exists, but not at this level)` : '';
    ctx.report(path, `the initial state '${initial}' is not one of the states of ${owner}${elsewhere}; they are: ${quoteList(children)}.${hint}`);
  }
}
