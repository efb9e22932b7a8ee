/**
 * Actions (`render`, `post`, `email`, `notify`, `cc`, `emit`, `start`, `apply`) of entries, exits and
 * branches: each becomes a kind with value parameters, after checking what it names: the
 * template exists and reads only declared fields, the role and the domain writer exist, an
 * emit goes to `parent`, to one business key or to the cases with given correlation values
 * (`where:`), and an emit to this same process is accepted there from its own key (`from:`).
 */
import type { ExpressionChecks } from '../compiler/expression';
import type { ActionDefinition, ValueSpec } from './definition.types';
import { isMap, str, type Raw } from './definition-build-context';
import type { DefinitionScope } from './definition-scope';
import { valueSpec } from './definition-values';
import { didYouMean, quoteList } from './did-you-mean.util';
import type { YamlPath } from './yaml-locator';

/**
 * Fields the engine adds to the data of every rendered template, besides the context:
 * a template may read them whatever the context schema says.
 */
export const TEMPLATE_META_FIELDS = ['businessKey', 'renderedAt', 'instanceId', 'definitionTitle', 'stateTitle', 'deadlines'] as const;

/** Action parameters that are names, never expressions. */
const NAME_PARAMS: Readonly<Record<string, readonly string[]>> = {
  render: ['template'],
  post: ['template'],
  notify: ['role'],
  cc: ['roles'],
  email: ['template'],
  emit: ['event', 'definition'],
  start: ['definition'],
  apply: ['function'],
};

/** The actions of a list (`entry`, `exit`, a branch's `actions`); items of the wrong shape are skipped. */
export function buildActions(scope: DefinitionScope, list: unknown, path: YamlPath, checks: ExpressionChecks): ActionDefinition[] {
  const { report, input } = scope;
  const { roleNames } = scope.declared;
  if (!Array.isArray(list)) return [];
  const out: ActionDefinition[] = [];
  list.forEach((item, i) => {
    if (!isMap(item)) return;
    const entries = Object.entries(item);
    if (entries.length !== 1) return; // reported by the schema
    const [kind, rawParams] = entries[0];
    const actionPath: YamlPath = [...path, i, kind];
    const params: Record<string, unknown> = kind === 'render' && typeof rawParams === 'string' ? { template: rawParams } : isMap(rawParams) ? rawParams : {};
    if (kind === 'render' && typeof rawParams === 'string') checkTemplate(scope, rawParams, actionPath, actionPath);
    else if (kind === 'render' || kind === 'email' || kind === 'post') checkTemplate(scope, params.template, [...actionPath, 'template'], actionPath);
    if (kind === 'apply' && typeof params.function === 'string' && input.functions && !input.functions.hasWriter(params.function)) {
      const known = input.functions.writerNames();
      report(
        [...actionPath, 'function'],
        `there is no domain writer '${params.function}' for 'apply'; known writers: ${quoteList([...known])}.${didYouMean(params.function, [...known])}`,
      );
    }
    if (kind === 'notify' && typeof params.role === 'string' && !roleNames.has(params.role)) {
      report(
        [...actionPath, 'role'],
        `the notify action names the role '${params.role}', which is not declared under 'roles'.${didYouMean(params.role, roleNames)}`,
      );
    }
    if (kind === 'cc' && Array.isArray(params.roles)) {
      for (const [n, role] of params.roles.entries()) {
        if (typeof role === 'string' && !roleNames.has(role)) {
          report([...actionPath, 'roles', n], `the cc action names the role '${role}', which is not declared under 'roles'.${didYouMean(role, roleNames)}`);
        }
      }
    }
    if (kind === 'cc' && params.roles === undefined && params.users === undefined) {
      report(actionPath, "a cc action needs 'roles' (copied to everyone holding them) or 'users' (login ids, e.g. \"=instance.startedBy\"), or both", 'key');
    }
    if (kind === 'emit') checkEmit(scope, params, actionPath);
    const specs: Record<string, ValueSpec> = {};
    for (const [name, value] of Object.entries(params)) {
      specs[name] = (NAME_PARAMS[kind] ?? []).includes(name)
        ? { kind: 'literal', value }
        : valueSpec(scope, value, kind === 'render' && typeof rawParams === 'string' ? actionPath : [...actionPath, name], checks);
    }
    out.push({ kind, params: specs, position: scope.pos(actionPath, 'key') });
  });
  return out;
}

/**
 * Where an emit goes: `parent`; an `=` expression giving one business key (exactly, never a
 * prefix); or `where:`, the correlation values of the cases of this process or of `definition`
 * it reaches. An emit to this same process must be accepted there from its own key (`from:`).
 */
function checkEmit(scope: DefinitionScope, params: Record<string, unknown>, actionPath: YamlPath): void {
  const { report } = scope;
  if (params.to === undefined && params.where === undefined) {
    report(
      actionPath,
      "an emit action needs 'to' (parent, or an expression giving one business key, e.g. \"=context.roundKey\") or 'where' (the correlation values of the cases to reach, e.g. where: { project: =context.project })",
      'key',
    );
  }
  if (params.to !== undefined && params.where !== undefined) {
    report([...actionPath, 'where'], "an emit action has either 'to' (one business key, or parent) or 'where' (correlation values), not both", 'key');
  }
  if (typeof params.to === 'string' && params.to !== 'parent' && !params.to.startsWith('=')) {
    report(
      [...actionPath, 'to'],
      `'to' of an emit action is either 'parent' or an expression giving a business key, written with '=' (e.g. "=context.roundKey")`,
    );
  }
  if (typeof params.to === 'string' && /\*\s*["']/.test(params.to)) {
    report(
      [...actionPath, 'to'],
      `'to' gives one business key, matched exactly: a key ending in '*' does not reach the cases whose keys start the same (a name that merely starts the same is another case). Find related cases by their data: declare the field under 'correlation:' in the receiving process and write where: { <field>: =<value> } instead of 'to'`,
    );
  }
  const ownKey = scope.input.key;
  const toSelf = params.definition === undefined || params.definition === ownKey;
  if (isMap(params.where) && toSelf) {
    const undeclared = Object.keys(params.where).filter((k) => !scope.correlation.includes(k));
    if (undeclared.length > 0) {
      report(
        [...actionPath, 'where'],
        `the emit action finds cases of this process by ${quoteList(undeclared)}, which are not declared under 'correlation:' (declared: ${quoteList(scope.correlation)}); add them to 'correlation:' at the top level, or name the other process in 'definition'`,
        'key',
      );
    }
  }
  const reachesCases = (typeof params.to === 'string' && params.to !== 'parent') || isMap(params.where);
  if (reachesCases && toSelf) {
    // To instances of this same process, found by business key: it must accept the event from its own key.
    const event = str(params.event);
    const declaring = scope.tree.rawStates.filter((st) => isMap(st.raw.on) && isMap(st.raw.on[event ?? '']));
    if (event !== undefined && declaring.length === 0) {
      report(
        [...actionPath, 'event'],
        `the emit action sends '${event}' to an instance of this process (no 'definition' given), but no state here accepts '${event}'; declare it with from: [${ownKey ?? 'this key'}], or name the other process in 'definition'`,
      );
    }
    const accepting = declaring.filter((st) => {
      const from = ((st.raw.on as Raw)[event as string] as Raw).from;
      return Array.isArray(from) && ownKey !== undefined && from.includes(ownKey);
    });
    if (event !== undefined && declaring.length > 0 && accepting.length === 0) {
      report(
        [...actionPath, 'event'],
        `the emit action sends '${event}' to an instance of this process, but no state accepts it from '${ownKey}': list ${ownKey} under 'from' of '${event}' (declared in ${declaring.map((st) => `'${st.name}'`).join(', ')}); 'system' in its roles means the engine only, never a process`,
      );
    }
  }
  if (params.to === 'parent' && params.definition !== undefined) {
    report([...actionPath, 'definition'], "an emit to 'parent' goes to the instance that started this one, whose process is known: remove 'definition'", 'key');
  }
}

/** The template exists, and every top-level field it reads is a context property or a meta field. */
function checkTemplate(scope: DefinitionScope, name: unknown, path: YamlPath, actionPath: YamlPath): void {
  const { report, input } = scope;
  const { contextSchema } = scope.declared;
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
}
