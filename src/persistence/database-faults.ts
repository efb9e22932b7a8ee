/**
 * Which database errors are not the caller's fault nor a bug: the database was away or busy
 * (a retryable 503 `DATABASE_UNAVAILABLE`), or it refused a value it cannot store (a 400 naming
 * the limit). Both drivers' errors are read here, from the error itself or from TypeORM's
 * `driverError`; everything else is passed through untouched.
 */
import { AppError, ErrorCode } from '../common/app-error';

/** Seconds a client is told to wait (`Retry-After`) when the database is away or busy. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Node's network errors of a connection that cannot be opened or was cut. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs: 08xxx connection exceptions, 53xxx insufficient resources (53300 too
 * many connections), 57P01–57P03 the server shutting down, crashed or starting.
 */
const PG_UNAVAILABLE = /^(08...|53...|57P0[123])$/;

/** pg and pg-pool say these in words only (no code). */
const PG_UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end on the pool/i,
];

/** 22001 value too long, 22021 invalid byte sequence (a NUL in text), 22P05 untranslatable (a NUL in jsonb). */
const PG_NOT_STORABLE = new Set(['22001', '22021', '22P05']);

export type DatabaseFaultKind = 'unavailable' | 'not-storable';

function codeAndMessage(err: unknown): { code?: string; message: string; name?: string } {
  const e = err as { code?: unknown; message?: unknown; name?: unknown; driverError?: { code?: unknown; message?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  const message = e?.driverError?.message ?? e?.message;
  return {
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : '',
    name: typeof e?.name === 'string' ? e.name : undefined,
  };
}

/** What kind of database fault err is, or undefined when it is none (a bug, a constraint, an AppError). */
export function databaseFaultKind(err: unknown): DatabaseFaultKind | undefined {
  if (err instanceof AppError || err === null || typeof err !== 'object') return undefined;
  const { code, message, name } = codeAndMessage(err);
  if (code && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')))
    return 'unavailable';
  if (code && PG_NOT_STORABLE.has(code)) return 'not-storable';
  // TypeORM's query runner releases itself when its connection errors; the unit's next statement then finds it released.
  if (name === 'QueryRunnerAlreadyReleasedError' || name === 'ConnectionIsNotSetError') return 'unavailable';
  if (PG_UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return 'unavailable';
  return undefined;
}

/**
 * err as the caller should see it: a database that is away or busy becomes `DATABASE_UNAVAILABLE`
 * (retryable, the driver's error kept as the cause for the log), a value the database cannot
 * store becomes `BAD_REQUEST`; any other error is returned as it is.
 */
export function asDatabaseFault(err: unknown): unknown {
  const kind = databaseFaultKind(err);
  if (kind === undefined) return err;
  const { code } = codeAndMessage(err);
  const tag = code ? ` (${code})` : '';
  if (kind === 'unavailable') {
    return new AppError(
      ErrorCode.DatabaseUnavailable,
      `the database is unavailable or busy${tag}: the connection was lost, refused or timed out, or the database is locked; retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
      { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
      { cause: err },
    );
  }
  return new AppError(
    ErrorCode.BadRequest,
    `a value is longer than its database column allows or holds a character the database cannot store (such as NUL)${tag}; shorten the value or remove control characters`,
    undefined,
    { cause: err },
  );
}
