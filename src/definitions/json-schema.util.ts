/**
 * ajv set-up for the JSON Schemas written inside a definition (context, event payloads) and the
 * translation of ajv's errors into JSON paths (`$.contact.phone`) with plain messages.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonSchema, PayloadValidationError } from './definition.types';

/** One ajv per definition: `$id`s in one definition cannot clash with another's. */
export function createSchemaAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
  addFormats(ajv);
  return ajv;
}

/** Compiles a schema written by a process owner; returns the reason when ajv refuses it. */
export function compileUserSchema(
  ajv: Ajv2020,
  schema: JsonSchema,
): { ok: true; validate: ValidateFunction } | { ok: false; message: string } {
  try {
    return { ok: true, validate: ajv.compile(schema as Record<string, unknown>) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** JSON pointer `/a/0/b` → JSON path `$.a[0].b`. */
export function jsonPath(pointer: string, extra?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  return (
    '$' +
    segments
      .map((s) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
      .join('')
  );
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
