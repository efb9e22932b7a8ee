import { AppError, ERROR_CODES, ErrorCode, httpStatusOf, isRetryable } from './app-error';

describe('the error model', () => {
  it('gives every code a status, a retryability and a plain Chinese default message', () => {
    for (const code of Object.values(ErrorCode)) {
      const spec = ERROR_CODES[code];
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(typeof spec.retryable).toBe('boolean');
      // Chinese, no code, no English words.
      expect(spec.userMessage).toMatch(/[\u4e00-\u9fff]/);
      expect(spec.userMessage).not.toMatch(/[A-Za-z_]{3,}/);
    }
  });

  it('retries exactly what may pass: a version conflict, a mail server or the database away, an error without a code', () => {
    const retryable = Object.values(ErrorCode)
      .filter((c) => ERROR_CODES[c].retryable)
      .sort();
    expect(retryable).toEqual([ErrorCode.DatabaseUnavailable, ErrorCode.MailDeliveryFailed, ErrorCode.TooManyAttempts, ErrorCode.VersionConflict].sort());
    expect(isRetryable(new AppError(ErrorCode.VersionConflict, 'moved'))).toBe(true);
    expect(isRetryable(new AppError(ErrorCode.EventNotAccepted, 'no longer accepted'))).toBe(false);
    expect(isRetryable(new AppError(ErrorCode.Internal, 'missing domain function'))).toBe(false);
    expect(isRetryable(new Error('connection terminated unexpectedly'))).toBe(true);
  });

  it('keeps the status the API always answered with', () => {
    expect(httpStatusOf(ErrorCode.VersionConflict)).toBe(409);
    expect(httpStatusOf(ErrorCode.PayloadInvalid)).toBe(422);
    expect(httpStatusOf(ErrorCode.Forbidden)).toBe(403);
    expect(httpStatusOf(ErrorCode.Internal)).toBe(500);
  });

  it('carries a developer message and a user message, the default one unless the throw gives its own', () => {
    const conflict = new AppError(ErrorCode.VersionConflict, 'instance x changed; retry');
    expect(conflict).toMatchObject({
      code: 'VERSION_CONFLICT',
      message: 'instance x changed; retry',
      userMessage: '该记录刚被他人更新，请刷新后重试。',
      status: 409,
      retryable: true,
    });
    const refused = new AppError(ErrorCode.GuardRejected, "'classify' was refused: 投诉类别须为…", undefined, { userMessage: '投诉类别须为…' });
    expect(refused.userMessage).toBe('投诉类别须为…');
    const cause = new Error('ECONNRESET');
    expect(new AppError(ErrorCode.Internal, 'boom', undefined, { cause }).cause).toBe(cause);
  });
});
