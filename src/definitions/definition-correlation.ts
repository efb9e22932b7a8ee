/**
 * `correlation:` (the context fields other cases find this case by) and the correlation values
 * an instance stores for them. Pure: the engine writes the values (`correlationValues`) with
 * each write of the instance row, and an `emit … where:` reaches the active cases of the
 * target process whose stored values are exactly those asked for — never a business-key prefix.
 */
import { createHash } from 'node:crypto';
import type { ProcessDefinition } from './definition.types';
import { isMap, type BuildContext, type Raw } from './definition-build-context';
import type { Declarations } from './definition-declarations';
import { didYouMean, quoteList } from './did-you-mean.util';

/** JSON Schema types a correlation field may have: one value, compared exactly. */
const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/** `correlation:`; absent, no other case can find this one by its data (only by business key). */
export function buildCorrelation(ctx: BuildContext, declared: Pick<Declarations, 'contextSchema'>, raw: Raw): string[] {
  if (raw.correlation === undefined) return [];
  if (!Array.isArray(raw.correlation)) return []; // reported by the schema
  const props = isMap(declared.contextSchema.properties) ? declared.contextSchema.properties : undefined;
  const known = props ? Object.keys(props) : undefined;
  const out: string[] = [];
  raw.correlation.forEach((field, i) => {
    if (typeof field !== 'string') return; // reported by the schema
    if (known && !known.includes(field)) {
      ctx.report(
        ['correlation', i],
        `the correlation key '${field}' is not a field of the context: a correlation key names a top-level field declared under context.properties; known fields: ${quoteList(known)}.${didYouMean(field, known)}`,
      );
      return;
    }
    const schema = props?.[field];
    const types = isMap(schema) ? (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]) : [];
    const wrong = types.filter((t) => typeof t === 'string' && t !== 'null' && !SCALAR_TYPES.has(t));
    if (wrong.length > 0) {
      ctx.report(
        ['correlation', i],
        `the correlation key '${field}' is declared as ${wrong.join('/')}, but a correlation key holds one value (text, number or true/false) that other cases match exactly; name a field of that kind, e.g. project`,
      );
      return;
    }
    out.push(field);
  });
  return out;
}

/**
 * The stored text of each correlation value of a context: canonical JSON of the value, so the
 * text `"12"` and the number `12` differ (an exact match on data). Fields without a value
 * (missing, null) store nothing and are found by no `where`.
 */
export function correlationValues(definition: Pick<ProcessDefinition, 'correlation'>, context: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of definition.correlation) {
    const value = context[field];
    if (value === undefined || value === null || typeof value === 'object') continue;
    out[field] = correlationText(value);
  }
  return out;
}

/** The stored text of one value (see `correlationValues`). */
export function correlationText(value: unknown): string {
  return JSON.stringify(value);
}

/** What the correlation index compares: SHA-256 (hex) of the stored value text. */
export function correlationHash(valueText: string): string {
  return createHash('sha256').update(valueText, 'utf8').digest('hex');
}

/** Keys of a `where:` that the target process does not declare under `correlation:`. */
export function undeclaredCorrelationKeys(target: Pick<ProcessDefinition, 'correlation'>, keys: readonly string[]): string[] {
  return keys.filter((k) => !target.correlation.includes(k));
}

/** What a process owner must change when a `where:` names keys the target does not declare. */
export function undeclaredCorrelationMessage(target: Pick<ProcessDefinition, 'key' | 'correlation' | 'source'>, keys: readonly string[]): string {
  const file = target.source.file.split('/').pop();
  const declared = target.correlation.length ? `it declares ${quoteList(target.correlation)}` : 'it declares none';
  return `'${target.key}' does not declare ${quoteList(keys)} as correlation keys (${declared}): ${file} would have to list ${keys.join(', ')} under 'correlation:' at the top level`;
}
