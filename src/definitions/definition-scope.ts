/**
 * What the parts that build events, actions, states, deadlines and schedules read: the build
 * context, the declarations (roles, rules, context schema) and the tree of state names.
 */
import type { BuildContext } from './definition-build-context';
import type { Declarations } from './definition-declarations';
import type { StateTree } from './definition-state-tree';

export interface DefinitionScope extends BuildContext {
  readonly declared: Declarations;
  readonly tree: StateTree;
}

export function definitionScope(ctx: BuildContext, declared: Declarations, tree: StateTree): DefinitionScope {
  return { ...ctx, declared, tree };
}
