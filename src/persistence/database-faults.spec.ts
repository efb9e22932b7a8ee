import { AppError, ErrorCode } from '../common/app-error';
import { asDatabaseFault, databaseFaultKind } from './database-faults';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
/** TypeORM's QueryFailedError keeps the driver's error as `driverError`. */
const queryFailed = (code: string) => Object.assign(new Error('query failed'), { name: 'QueryFailedError', driverError: withCode(code) });

describe('databaseFaultKind', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['admin shutdown 57P01', queryFailed('57P01')],
    ['too many connections 53300', queryFailed('53300')],
    ['connection failure 08006', queryFailed('08006')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated connection', new Error('Connection terminated unexpectedly')],
    ['a released query runner', Object.assign(new Error('released'), { name: 'QueryRunnerAlreadyReleasedError' })],
    ['SQLITE_BUSY', queryFailed('SQLITE_BUSY')],
    ['SQLITE_BUSY_SNAPSHOT', withCode('SQLITE_BUSY_SNAPSHOT')],
    ['SQLITE_LOCKED', withCode('SQLITE_LOCKED')],
  ])('%s: the database is unavailable', (_, err) => expect(databaseFaultKind(err)).toBe('unavailable'));

  it.each([
    ['value too long 22001', queryFailed('22001')],
    ['NUL in text 22021', queryFailed('22021')],
    ['NUL in jsonb 22P05', queryFailed('22P05')],
  ])('%s: the value cannot be stored', (_, err) => expect(databaseFaultKind(err)).toBe('not-storable'));

  it.each([
    ['a unique violation', queryFailed('23505')],
    ['a syntax error (a bug)', queryFailed('42601')],
    ['an AppError', new AppError(ErrorCode.VersionConflict, 'moved')],
    ['a plain error', new Error('bug')],
    ['a string', 'oops'],
  ])('%s: is no database fault', (_, err) => expect(databaseFaultKind(err)).toBeUndefined());
});

describe('asDatabaseFault', () => {
  it('keeps the driver error as the cause and asks to retry in 5 seconds', () => {
    const cause = queryFailed('57P01');
    const err = asDatabaseFault(cause) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: ErrorCode.DatabaseUnavailable, status: 503, retryable: true, details: { retryAfterSeconds: 5 } });
    expect(err.cause).toBe(cause);
    expect(err.message).toContain('57P01');
  });

  it('makes a value the database refuses a 400, and leaves other errors alone', () => {
    expect(asDatabaseFault(queryFailed('22021'))).toMatchObject({ code: ErrorCode.BadRequest, status: 400 });
    const bug = new Error('bug');
    expect(asDatabaseFault(bug)).toBe(bug);
  });
});
