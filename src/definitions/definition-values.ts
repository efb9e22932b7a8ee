/**
 * Values written in a definition: `=expr` is an expression (compiled now, so a typo fails the
 * load with its exact column), `==text` the literal text `=text`, a map or list holding `=`
 * strings a composite evaluated part by part, anything else a literal.
 */
import { compileExpression, type ExpressionChecks } from '../compiler/expression';
import type { CompiledExpression, ExpressionScope, JsonSchema, ValueSpec } from './definition.types';
import { isMap, type BuildContext } from './definition-build-context';
import type { Declarations } from './definition-declarations';
import type { YamlPath } from './yaml-locator';

/** What an expression may read: the rules, the context schema and (for an event) its payload schema. */
export function expressionChecks(declared: Pick<Declarations, 'ruleNames' | 'contextSchema'>, payloadSchema?: JsonSchema): ExpressionChecks {
  return { ruleNames: declared.ruleNames, contextSchema: declared.contextSchema, payloadSchema };
}

/** Compiles `source`, written at `path` after `prefix` characters (`=`); reports its problems. */
export function compileAt(ctx: BuildContext, source: string, path: YamlPath, prefix: number, checks: ExpressionChecks): CompiledExpression | undefined {
  const locate = ctx.locator.expressionLocator(path, source, prefix);
  const result = compileExpression(source, locate(0), checks, locate);
  if (!result.ok) {
    ctx.problems.push(...result.problems);
    return undefined;
  }
  return result.expression;
}

/** `=expr` → expression; `==text` → literal `=text`; maps/lists containing `=` strings → composite. */
export function valueSpec(ctx: BuildContext, value: unknown, path: YamlPath, checks: ExpressionChecks): ValueSpec {
  if (typeof value === 'string' && value.startsWith('==')) return { kind: 'literal', value: value.slice(1) };
  if (typeof value === 'string' && value.startsWith('=')) {
    const compiled = compileAt(ctx, value.slice(1), path, 1, checks);
    return compiled ? { kind: 'expression', expression: compiled } : { kind: 'literal', value: null };
  }
  if (typeof value === 'object' && value !== null && containsExpression(value)) {
    const build = (v: unknown, p: YamlPath): ((scope: ExpressionScope) => unknown) => {
      if (Array.isArray(v)) {
        const parts = v.map((item, i) => build(item, [...p, i]));
        return (scope) => parts.map((part) => part(scope));
      }
      if (isMap(v)) {
        const parts = Object.entries(v).map(([k, item]) => [k, build(item, [...p, k])] as const);
        return (scope) => Object.fromEntries(parts.map(([k, part]) => [k, part(scope)]));
      }
      const spec = valueSpec(ctx, v, p, checks);
      return spec.kind === 'literal' ? () => spec.value : (scope) => spec.expression.evaluate(scope);
    };
    const evaluate = build(value, path);
    return { kind: 'expression', expression: { source: JSON.stringify(value), position: ctx.pos(path), evaluate } };
  }
  return { kind: 'literal', value };
}

/** Each entry of a map (payload, context) as a value; not a map → no entries. */
export function mapValues(ctx: BuildContext, rawMap: unknown, path: YamlPath, checks: ExpressionChecks): Record<string, ValueSpec> {
  if (!isMap(rawMap)) return {};
  return Object.fromEntries(Object.entries(rawMap).map(([k, v]) => [k, valueSpec(ctx, v, [...path, k], checks)]));
}

/** The plain values when every entry is a literal (so they can be checked at load time), else undefined. */
export function literalValues(specs: Record<string, ValueSpec>): Record<string, unknown> | undefined {
  return Object.values(specs).every((v) => v.kind === 'literal')
    ? Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, (v as { value: unknown }).value]))
    : undefined;
}

function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.startsWith('=');
  if (Array.isArray(value)) return value.some(containsExpression);
  if (isMap(value)) return Object.values(value).some(containsExpression);
  return false;
}
