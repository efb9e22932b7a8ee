/**
 * The one place errors become HTTP responses. Every response error has the same shape:
 * `{ code, message, errors? }` where `code` is a stable ErrorCode and `errors` lists
 * positioned problems (definition errors with file/line/column, payload errors with JSON paths).
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';

export function statusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadRequest: return 400;
    case ErrorCode.Unauthenticated: return 401;
    case ErrorCode.Forbidden: return 403;
    case ErrorCode.NotFound: return 404;
    case ErrorCode.EventNotAccepted: return 409;
    case ErrorCode.GuardRejected: return 409;
    case ErrorCode.VersionConflict: return 409;
    case ErrorCode.InstanceCompleted: return 409;
    case ErrorCode.AlreadyExists: return 409;
    case ErrorCode.PayloadTooLarge: return 413;
    case ErrorCode.TooManyAttempts: return 429;
    case ErrorCode.DefinitionInvalid: return 422;
    case ErrorCode.PayloadInvalid: return 422;
    case ErrorCode.ContextInvalid: return 422;
    case ErrorCode.IdempotencyKeyReused: return 422;
    case ErrorCode.ExpressionFailed: return 422;
    case ErrorCode.CalendarDataMissing: return 422;
    case ErrorCode.CalendarInvalid: return 422;
    case ErrorCode.TemplateInvalid: return 422;
    case ErrorCode.QuestionnaireInvalid: return 422;
    case ErrorCode.RosterInvalid: return 422;
    case ErrorCode.ParticipationRulesInvalid: return 422;
    case ErrorCode.ParticipationFactsInvalid: return 422;
    case ErrorCode.StageNotParticipating: return 422;
    case ErrorCode.Internal: return 500;
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}

export function errorBody(err: AppError): Record<string, unknown> {
  const { errors, ...rest } = err.details ?? {};
  return { code: err.code, message: err.message, ...(errors ? { errors } : {}), ...(Object.keys(rest).length ? { details: rest } : {}) };
}

/** Maps errors thrown by body parsing and routing (not AppErrors) onto AppErrors. */
function toAppError(exception: unknown): AppError {
  if (exception instanceof AppError) return exception;
  const e = exception as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') return new AppError(ErrorCode.PayloadTooLarge, `request body is too large (limit ${(e as { limit?: number }).limit} bytes)`);
  if (e?.type === 'entity.parse.failed') return new AppError(ErrorCode.BadRequest, `request body is not valid JSON: ${e.message}`);
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError(ErrorCode.BadRequest, e.message ?? 'unsupported encoding');
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = status === 404 ? ErrorCode.NotFound : status === 401 ? ErrorCode.Unauthenticated : status === 403 ? ErrorCode.Forbidden
      : status === 413 ? ErrorCode.PayloadTooLarge : status < 500 ? ErrorCode.BadRequest : ErrorCode.Internal;
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
    const response = host.switchToHttp().getResponse<Response>();
    const status = statusFor(err.code);
    // RFC 6750: a 401 says how to authenticate; a 429 says when to come back.
    if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="workflow"');
    const retryAt = typeof err.details?.retryAt === 'string' ? Date.parse(err.details.retryAt) : NaN;
    if (status === 429 && !Number.isNaN(retryAt)) response.setHeader('Retry-After', String(Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))));
    response.status(status).json(errorBody(err));
  }
}
