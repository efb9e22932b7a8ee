/**
 * What the parts that build events, actions, states, deadlines and schedules read: the build
 * context, the declarations (roles, rules, context schema), the tree of state names and the
 * process's own correlation keys (an `emit … where:` to this same process is checked against them).
 */
import type { BuildContext } from './definition-build-context';
import type { Declarations } from './definition-declarations';
import type { StateTree } from './definition-state-tree';

export interface DefinitionScope extends BuildContext {
  readonly declared: Declarations;
  readonly tree: StateTree;
  readonly correlation: readonly string[];
}

export function definitionScope(ctx: BuildContext, declared: Declarations, tree: StateTree, correlation: readonly string[] = []): DefinitionScope {
  return { ...ctx, declared, tree, correlation };
}
