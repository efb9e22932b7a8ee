/**
 * The names a definition declares before its states: roles, rules (with their values) and the
 * context schema. Every later part checks its references against these.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import type { JsonSchema, RoleDefinition, RuleDefinition } from './definition.types';
import { isMap, PROCESS_ROLE, str, SYSTEM_ROLE, type BuildContext, type Raw } from './definition-build-context';
import { didYouMean, quoteList } from './did-you-mean.util';
import { compileUserSchema } from './json-schema.util';
import type { YamlPath } from './yaml-locator';

export interface Declarations {
  readonly roles: Record<string, RoleDefinition>;
  /** The declared roles plus `system`. */
  readonly roleNames: ReadonlySet<string>;
  readonly rules: Record<string, RuleDefinition>;
  readonly ruleValues: Record<string, unknown>;
  readonly ruleNames: ReadonlySet<string>;
  /** As written, or `{ type: object }` when the definition has none. */
  readonly contextSchema: JsonSchema;
  /** Undefined when the context schema is not a valid JSON Schema (reported). */
  readonly validateContext?: ValidateFunction;
}

/** Reads `roles`, `rules` and `context`; reports a context schema that is not a map or not valid. */
export function buildDeclarations(ctx: BuildContext, raw: Raw): Declarations {
  const roles: Record<string, RoleDefinition> = {};
  if (isMap(raw.roles)) {
    for (const [name, value] of Object.entries(raw.roles)) {
      roles[name] = { name, ...(isMap(value) && str(value.title) ? { title: value.title as string } : {}) };
    }
  }
  if (Object.hasOwn(roles, PROCESS_ROLE)) {
    ctx.report(
      ['roles', PROCESS_ROLE],
      `the role '${PROCESS_ROLE}' is the engine's mark of another process delivering an event or a start: choose another name; to let a process send an event, list its key under 'from'`,
      'key',
    );
  }
  const roleNames = new Set([...Object.keys(roles), SYSTEM_ROLE]);

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

  const contextSchema: JsonSchema = isMap(raw.context) ? raw.context : { type: 'object' };
  let validateContext: ValidateFunction | undefined;
  if (isMap(raw.context) && raw.context.type !== 'object') {
    ctx.report(['context'], "the context schema must describe a map: write 'type: object' at its top");
  }
  const compiled = compileUserSchema(ctx.ajv, contextSchema);
  if (compiled.ok) validateContext = compiled.validate;
  else ctx.report(['context', ...(compiled.at ?? [])], `the context schema is not a valid JSON Schema: ${compiled.message}`, compiled.which ?? 'key');

  return { roles, roleNames, rules, ruleValues, ruleNames, contextSchema, ...(validateContext ? { validateContext } : {}) };
}

/** The role names of a `roles:` list; each one not declared (nor `system`) is reported. */
export function checkRoles(ctx: BuildContext, declared: Pick<Declarations, 'roles' | 'roleNames'>, list: unknown, path: YamlPath): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  list.forEach((role, i) => {
    if (typeof role !== 'string') return;
    if (!declared.roleNames.has(role)) {
      ctx.report(
        [...path, i],
        `the role '${role}' is not declared under 'roles'; declared roles: ${quoteList(Object.keys(declared.roles))}.${didYouMean(role, declared.roleNames)}`,
      );
    }
    out.push(role);
  });
  return out;
}
