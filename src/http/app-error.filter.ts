/**
 * The one place errors become HTTP responses. Every response error has the same shape:
 * `{ code, message, userMessage, errors?, details? }`: `code` is a stable ErrorCode, `message`
 * is for developers (English), `userMessage` for the person in front of the screen (Chinese),
 * `errors` lists positioned problems (definition errors with file/line/column, payload errors
 * with JSON paths). The status comes from the code's row in `ERROR_CODES`.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, ErrorCode, httpStatusOf } from '../common/app-error';

/** The HTTP status of a code, from the table next to the codes (`ERROR_CODES`). */
export function statusFor(code: ErrorCode): number {
  return httpStatusOf(code);
}

export function errorBody(err: AppError): Record<string, unknown> {
  const { errors, ...rest } = err.details ?? {};
  return {
    code: err.code,
    message: err.message,
    userMessage: err.userMessage,
    ...(errors ? { errors } : {}),
    ...(Object.keys(rest).length ? { details: rest } : {}),
  };
}

/** Maps errors thrown by body parsing and routing (not AppErrors) onto AppErrors. */
function toAppError(exception: unknown): AppError {
  if (exception instanceof AppError) return exception;
  const e = exception as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large')
    return new AppError(ErrorCode.PayloadTooLarge, `request body is too large (limit ${(e as { limit?: number }).limit} bytes)`);
  if (e?.type === 'entity.parse.failed') return new AppError(ErrorCode.BadRequest, `request body is not valid JSON: ${e.message}`);
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError(ErrorCode.BadRequest, e.message ?? 'unsupported encoding');
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code =
      status === 404
        ? ErrorCode.NotFound
        : status === 401
          ? ErrorCode.Unauthenticated
          : status === 403
            ? ErrorCode.Forbidden
            : status === 413
              ? ErrorCode.PayloadTooLarge
              : status < 500
                ? ErrorCode.BadRequest
                : ErrorCode.Internal;
    return new AppError(code, exception.message);
  }
  return new AppError(ErrorCode.Internal, 'internal error; the details are in the service log');
}

@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const err = toAppError(exception);
    if (err.code === ErrorCode.Internal) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    // The driver's own error says why (the rollback's, if it failed too, says nothing new).
    if (err.code === ErrorCode.DatabaseUnavailable)
      this.logger.warn(`${err.message}; cause: ${err.cause instanceof Error ? err.cause.stack : String(err.cause)}`);
    const response = host.switchToHttp().getResponse<Response>();
    const status = statusFor(err.code);
    // RFC 6750: a 401 says how to authenticate; a 429 and a 503 say when to come back (RFC 9110).
    if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="workflow"');
    const retryAt = typeof err.details?.retryAt === 'string' ? Date.parse(err.details.retryAt) : NaN;
    const retryAfterSeconds = err.details?.retryAfterSeconds;
    if (status === 503 && typeof retryAfterSeconds === 'number') response.setHeader('Retry-After', String(retryAfterSeconds));
    if (status === 429 && !Number.isNaN(retryAt)) response.setHeader('Retry-After', String(Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))));
    response.status(status).json(errorBody(err));
  }
}
