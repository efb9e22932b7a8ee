/**
 * Request bodies are checked against small JSON Schemas; each problem is reported with the
 * JSON path of the offending value (`$.payload.phone`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { AppError, ErrorCode } from '../common/app-error';

const ajv = new Ajv({ allErrors: true, strict: true });

/** `/a/0/b` + missing property `c` → `$.a[0].b.c`. */
export function jsonPath(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return '$' + segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

export function describeError(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return `unknown field '${error.params.additionalProperty}'`;
  if (error.keyword === 'required') return `is required`;
  return error.message ?? 'is invalid';
}

export function bodyValidator<T>(schema: Record<string, unknown>): (body: unknown) => T {
  const validate: ValidateFunction = ajv.compile(schema);
  return (body: unknown) => {
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e) => ({ path: jsonPath(e), message: describeError(e) }));
      throw new AppError(ErrorCode.BadRequest, `the request body is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
    }
    return body as T;
  };
}
