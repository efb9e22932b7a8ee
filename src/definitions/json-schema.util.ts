/**
 * ajv set-up for the JSON Schemas written inside a definition (context, event payloads) and the
 * translation of ajv's errors into JSON paths (`$.contact.phone`) with plain messages.
 *
 * Their `pattern`s and `patternProperties` run on RE2 (ajv's documented `code.regExp` option),
 * so a catastrophic pattern cannot block the process on a long payload text.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ajvLinearRegExp, compileLinearRegExp } from '../common/linear-regexp.util';
import type { JsonSchema, PayloadValidationError } from './definition.types';

/** One ajv per definition: `$id`s in one definition cannot clash with another's. */
export function createSchemaAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false, code: { regExp: ajvLinearRegExp } });
  addFormats(ajv);
  return ajv;
}

/** Where in a schema a refused pattern is written: the value of `pattern`, or a key of `patternProperties`. */
export interface SchemaPlace {
  readonly at: (string | number)[];
  readonly which: 'key' | 'value';
}

/**
 * Compiles a schema written by a process owner; returns the reason when ajv refuses it, and
 * for a pattern RE2 refuses, where that pattern is inside the schema.
 */
export function compileUserSchema(
  ajv: Ajv2020,
  schema: JsonSchema,
): { ok: true; validate: ValidateFunction } | ({ ok: false; message: string } & Partial<SchemaPlace>) {
  const refused = refusedPattern(schema);
  if (refused) return { ok: false, ...refused };
  try {
    return { ok: true, validate: ajv.compile(schema as Record<string, unknown>) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not a pattern. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);

/** The first `pattern` or `patternProperties` key in a schema that RE2 cannot run, if any. */
function refusedPattern(schema: JsonSchema): ({ message: string } & SchemaPlace) | undefined {
  const pending: { value: unknown; at: (string | number)[] }[] = [{ value: schema, at: [] }];
  while (pending.length > 0) {
    const { value, at } = pending.shift() as { value: unknown; at: (string | number)[] };
    if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push({ value: item, at: [...at, i] }));
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      if (DATA_KEYWORDS.has(key)) continue;
      if (key === 'pattern' && typeof child === 'string') {
        const compiled = compileLinearRegExp(child);
        if (!compiled.ok) return { message: compiled.message, at: [...at, key], which: 'value' };
      }
      if (key === 'patternProperties' && typeof child === 'object' && child !== null && !Array.isArray(child)) {
        for (const name of Object.keys(child)) {
          const compiled = compileLinearRegExp(name);
          if (!compiled.ok) return { message: compiled.message, at: [...at, key, name], which: 'key' };
        }
      }
      pending.push({ value: child, at: [...at, key] });
    }
  }
  return undefined;
}

/** JSON pointer `/a/0/b` → JSON path `$.a[0].b`. */
/** The segments of a JSON Pointer (RFC 6901), unescaped: `/a~1b/0` → `['a/b', '0']`. */
export function pointerSegments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPath(pointer: string, extra?: string): string {
  const segments = pointerSegments(pointer);
  if (extra !== undefined) segments.push(extra);
  return '$' + segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** ajv errors → `{ path, message }` with the path of the offending (or missing) field. */
export function toValidationErrors(errors: readonly ErrorObject[] | null | undefined): PayloadValidationError[] {
  return (errors ?? []).map((e) => {
    switch (e.keyword) {
      case 'required':
        return { path: jsonPath(e.instancePath, String(e.params.missingProperty)), message: 'is required' };
      case 'additionalProperties':
        return { path: jsonPath(e.instancePath, String(e.params.additionalProperty)), message: 'is not an allowed field' };
      case 'enum':
        return {
          path: jsonPath(e.instancePath),
          message: `must be one of: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        };
      default:
        return { path: jsonPath(e.instancePath), message: e.message ?? e.keyword };
    }
  });
}

/** A JSON copy: the input is never modified (ajv fills defaults into the copy). */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
