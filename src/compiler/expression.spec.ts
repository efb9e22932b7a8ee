import { AppError, ErrorCode } from '../common/app-error';
import type { ExpressionScope, SourcePosition } from '../definitions/definition.types';
import { compileExpression, MAX_EXPRESSION_LENGTH } from './expression';

const position: SourcePosition = { file: 'p.yaml', line: 7, column: 15, path: 'states.a.on.go.when' };
const checks = {
  ruleNames: new Set(['factor', 'categories']),
  contextSchema: { type: 'object', properties: { n: {}, score: {}, tags: {}, pause: { type: 'object', properties: { endsAt: {} } } } },
  payloadSchema: { type: 'object', properties: { ok: {} } },
};
const scope: ExpressionScope = {
  context: { n: 2, score: 3, tags: ['a', 'b'], pause: { endsAt: '2026-01-02T00:00:00Z' } },
  payload: { ok: true },
  rules: { factor: 1.5, categories: ['设备设施', '收费'] },
  actor: { id: 'u1', roles: ['clerk'] },
  now: '2026-01-01T08:00:00.000Z',
};

function evaluate(source: string, s: ExpressionScope = scope): unknown {
  const result = compileExpression(source, position, checks);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.expression.evaluate(s);
}

describe('compileExpression', () => {
  it('mixes JSON numbers with integer and double literals', () => {
    expect(evaluate('context.n + 1')).toBe(3);
    expect(evaluate('context.score * 1.5')).toBe(4.5);
    expect(evaluate('context.score * rules.factor')).toBe(4.5);
    expect(evaluate('context.n == 2')).toBe(true);
  });

  it('reads lists, rules, the actor and now; returns timestamps as ISO text', () => {
    expect(evaluate('"收费" in rules.categories')).toBe(true);
    expect(evaluate('"clerk" in actor.roles && actor.id == "u1"')).toBe(true);
    expect(evaluate('now + duration("72h")')).toBe('2026-01-04T08:00:00.000Z');
    expect(evaluate('timestamp(context.pause.endsAt) > now')).toBe(true);
    expect(evaluate('[context.n, "x", now]')).toEqual([2, 'x', '2026-01-01T08:00:00.000Z']);
  });

  it('is deterministic: now comes from the scope, not the clock', () => {
    expect(evaluate('now', { ...scope, now: '2030-05-05T00:00:00Z' })).toBe('2030-05-05T00:00:00.000Z');
  });

  it.each([
    ['process.env', "unknown name 'process'"],
    ['require("fs")', 'require'],
    ['context.constructor', "'constructor' is not a field of the context"],
    ['rules.nope', "unknown rule 'nope'"],
    ['context.pause.ends', "'ends' is not a field of 'context.pause'"],
    ['payload.ko', "'ko' is not a field of the event's payload"],
    ['1 +', 'cannot be read'],
  ])('refuses `%s` at load', (source, message) => {
    const result = compileExpression(source, position, checks);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].message).toContain(message);
  });

  it('allows variables bound by macros', () => {
    expect(evaluate('context.tags.exists(t, t == "b")')).toBe(true);
    expect(evaluate('context.tags.map(t, t + "!")')).toEqual(['a!', 'b!']);
  });

  it('refuses an expression longer than the limit', () => {
    const result = compileExpression('1 + '.repeat(MAX_EXPRESSION_LENGTH) + '1', position, checks);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].message).toMatch(/the limit is 2000/);
  });

  it('turns a run-time failure into ExpressionFailed naming the expression and its place', () => {
    const result = compileExpression('context.n / 0', position, checks);
    if (!result.ok) throw new Error('should compile');
    let error: unknown;
    try {
      result.expression.evaluate(scope);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.ExpressionFailed);
    expect((error as AppError).message).toBe(
      'the expression `context.n / 0` (p.yaml:7:15, states.a.on.go.when) failed: division by zero',
    );
  });
});

describe('calendar text functions', () => {
  // 2026-03-01 01:00 UTC is 09:00 on 1 March in Shanghai, still 28 February in Los Angeles.
  const at = { ...scope, now: '2026-03-01T01:00:00.000Z' };
  it('formats local dates and months in Asia/Shanghai by default, or in a given zone', () => {
    expect(evaluate('localDate(now)', at)).toBe('2026-03-01');
    expect(evaluate('localMonth(now)', at)).toBe('2026-03');
    expect(evaluate('previousMonth(now)', at)).toBe('2026-02');
    expect(evaluate('"report-" + previousMonth(now)', { ...at, now: '2027-01-01T01:00:00.000Z' })).toBe('report-2026-12');
    expect(evaluate('localDate(now, "America/Los_Angeles")', at)).toBe('2026-02-28');
    expect(evaluate('localMonth(timestamp(context.pause.endsAt))', at)).toBe('2026-01');
  });

  describe('dates for people: dateCn and dateTimeCn', () => {
    // 2026-12-01T18:13:58Z is already 2 December 02:13 in Shanghai.
    const late = { ...scope, now: '2026-12-01T18:13:58.216Z', context: { ...scope.context, pause: { endsAt: '2026-12-01T18:13:58.216Z' } } };

    it('puts the local Chinese date and time into a message, never the UTC ISO text', () => {
      expect(evaluate('"暂停期至 " + dateTimeCn(context.pause.endsAt) + "，期满后方可开始调研"', late)).toBe('暂停期至 2026年12月2日 02:13，期满后方可开始调研');
      expect(evaluate('dateCn(context.pause.endsAt)', late)).toBe('2026年12月2日');
      expect(evaluate('dateTimeCn(now)', late)).toBe('2026年12月2日 02:13');
      expect(evaluate('dateCn(now + duration("24h"))', late)).toBe('2026年12月3日');
    });

    it('shows a date without a time as that date', () => {
      const dated = { ...late, context: { ...late.context, pause: { endsAt: '2026-12-02' } } };
      expect(evaluate('dateTimeCn(context.pause.endsAt)', dated)).toBe('2026年12月2日');
      expect(evaluate('dateCn(context.pause.endsAt)', dated)).toBe('2026年12月2日');
    });

    it('reads in another zone when one is given', () => {
      expect(evaluate('dateTimeCn(now, "UTC")', late)).toBe('2026年12月1日 18:13');
      expect(evaluate('dateCn(context.pause.endsAt, "America/New_York")', late)).toBe('2026年12月1日');
    });

    it('keeps a text that is not a time as it is, and shows nothing for null', () => {
      const odd = { ...late, context: { ...late.context, pause: { endsAt: '下月初' } } };
      expect(evaluate('"至" + dateTimeCn(context.pause.endsAt)', odd)).toBe('至下月初');
      expect(evaluate('"[" + dateCn(null) + "]"', late)).toBe('[]');
    });

    it('refuses at load a value that can never be a time', () => {
      const result = compileExpression('dateCn(1)', position, checks);
      expect(result.ok).toBe(false);
    });
  });
});
