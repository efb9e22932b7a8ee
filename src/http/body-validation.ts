/**
 * Request bodies are checked against small JSON Schemas; each problem is reported with the
 * JSON path of the offending value (`$.payload.phone`). Before that, every parsed JSON body is
 * checked for nesting: the engine copies, validates and converts payloads recursively, so a
 * body nested 100,000 levels deep would overflow the stack (a 500) instead of getting a 400.
 * Then every text in it, keys included, is checked for control characters: PostgreSQL cannot
 * store a NUL, so a body holding one would be a 500 there and stored on SQLite.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { NextFunction, Request, Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import { tooDeepAt } from '../common/objects.util';
import { controlCharacterAt } from '../common/storable-text.util';

const ajv = new Ajv({ allErrors: true, strict: true });

/** Deepest nesting of maps and lists accepted in a JSON body (the body itself is level 1). */
export const MAX_JSON_DEPTH = 64;

const pathText = (segments: readonly (string | number)[]): string =>
  '$' + segments.map((s) => (typeof s === 'number' || /^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');

/** `/a/0/b` + missing property `c` → `$.a[0].b.c`. */
export function jsonPath(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return pathText(segments);
}

/** Express middleware after the JSON parser: a body nested too deep is a 400 naming where. */
export function refuseDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  const at = tooDeepAt(req.body, MAX_JSON_DEPTH);
  if (at === undefined) return next();
  const path = pathText(at);
  next(
    new AppError(ErrorCode.BadRequest, `the request body is nested deeper than ${MAX_JSON_DEPTH} levels of maps and lists, at ${path}; send flatter data`, {
      errors: [{ path, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }],
    }),
  );
}

/**
 * Express middleware after the body parsers: a JSON or form body holding a control character
 * (NUL and the other C0 characters but tab, line feed and carriage return) in a key or a value
 * is a 400 naming where, on both databases alike.
 */
export function refuseControlCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (typeof req.body !== 'object' || req.body === null || Buffer.isBuffer(req.body)) return next();
  const found = controlCharacterAt(req.body);
  if (found === undefined) return next();
  const path = pathText(found.path);
  next(
    new AppError(ErrorCode.BadRequest, `the request body holds the control character ${found.character} at ${path}; remove it (the database cannot store it)`, {
      errors: [{ path, message: `holds the control character ${found.character}` }],
    }),
  );
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
