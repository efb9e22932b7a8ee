import { AppError, ErrorCode } from '../common/app-error';
import type { ExpressionScope, SourcePosition } from '../definitions/definition.types';
import { MAX_PATTERN_LENGTH } from '../common/linear-regexp.util';
import { compileExpression, EXPRESSION_LIMITS, MAX_EXPRESSION_LENGTH } from './expression';

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

  it('reads actor.name: the display name printed on forms, the login id when the user has none', () => {
    expect(evaluate('actor.name', { ...scope, actor: { id: 'cs', roles: ['clerk'], name: '诸葛明月' } })).toBe('诸葛明月');
    expect(evaluate('actor.name')).toBe('u1');
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
    expect((error as AppError).message).toBe('the expression `context.n / 0` (p.yaml:7:15, states.a.on.go.when) failed: division by zero');
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

  it('addMonths: a date some calendar months later, the day moved back at a short month (003: within 3 months)', () => {
    expect(evaluate('addMonths("2026-04-30", 3)', at)).toBe('2026-07-30');
    expect(evaluate('addMonths("2026-11-30", 3)', at)).toBe('2027-02-28');
    expect(evaluate('addMonths("2026-01-31", -2)', at)).toBe('2025-11-30');
    expect(evaluate('addMonths(now, 1)', at)).toBe('2026-04-01');
    expect(evaluate('localDate(now) > addMonths("2025-12-01", 3)', at)).toBe(false);
    expect(evaluate('localDate(now) > addMonths("2025-11-30", 3)', at)).toBe(true);
  });

  describe('dates for people: dateCn and dateTimeCn', () => {
    // 2026-12-01T18:13:58Z is already 2 December 02:13 in Shanghai.
    const late = { ...scope, now: '2026-12-01T18:13:58.216Z', context: { ...scope.context, pause: { endsAt: '2026-12-01T18:13:58.216Z' } } };

    it('puts the local Chinese date and time into a message, never the UTC ISO text', () => {
      expect(evaluate('"暂停期至 " + dateTimeCn(context.pause.endsAt) + "，期满后方可开始调研"', late)).toBe(
        '暂停期至 2026年12月2日 02:13，期满后方可开始调研',
      );
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

describe('matches: a linear-time engine (RE2), never JavaScript RegExp', () => {
  const withPayload = (payload: Record<string, unknown>): ExpressionScope => ({ ...scope, payload });
  const lenient = { ...checks, payloadSchema: undefined };
  const run = (source: string, payload: Record<string, unknown>) => {
    const result = compileExpression(source, position, lenient);
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
    return result.expression.evaluate(withPayload(payload));
  };
  const failure = (source: string, payload: Record<string, unknown>): AppError => {
    try {
      run(source, payload);
    } catch (error) {
      return error as AppError;
    }
    throw new Error(`expected \`${source}\` to fail`);
  };

  it('finds a match anywhere in the text, with JavaScript escapes and RE2 syntax', () => {
    expect(evaluate('"abc".matches("b")')).toBe(true);
    expect(evaluate('"2026-03".matches("^[0-9]{4}-(0[1-9]|1[0-2])$")')).toBe(true);
    expect(evaluate('"2026-13".matches("^[0-9]{4}-(0[1-9]|1[0-2])$")')).toBe(false);
    expect(evaluate('"é".matches("^\\\\u00e9$")')).toBe(true);
    expect(evaluate('"设备设施".matches("^\\\\p{Han}+$")')).toBe(true);
    // RE2's inline flags: JavaScript's RegExp refuses `(?i)`, so this proves RE2 runs it.
    expect(evaluate('"ABC".matches("(?i)^abc$")')).toBe(true);
  });

  it('answers on a catastrophic pattern and 5,000 characters', () => {
    expect(run('payload.s.matches("^(a+)+$")', { s: 'a'.repeat(5000) + '!' })).toBe(false);
    expect(run('payload.s.matches("^(a+)+$")', { s: 'a'.repeat(5000) })).toBe(true);
  });

  it.each([
    ['(a)\\\\1', /back-references/],
    ['(?<y>a)\\\\k<y>', /back-references/],
    ['^(?!admin)', /look-around/],
    ['(?<=a)b', /look-around/],
    ['a{2000}', /cannot be used/],
  ])('refuses the literal pattern %s at load, at the position of the pattern', (pattern, message) => {
    const source = `payload.s.matches("${pattern}")`;
    const locate = (index: number) => ({ ...position, column: position.column + index });
    const result = compileExpression(source, position, lenient, locate);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0].message).toMatch(message);
    expect(result.problems[0].message).toContain('RE2');
    expect(result.problems[0].column).toBe(position.column + source.indexOf('"'));
  });

  it('fails the evaluation, not the load, for a pattern given at run time that RE2 refuses', () => {
    const error = failure('payload.s.matches(payload.p)', { s: 'aa', p: '(a)\\1' });
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(ErrorCode.ExpressionFailed);
    expect(error.message).toMatch(/back-references/);
    expect(run('payload.s.matches(payload.p)', { s: 'aa', p: '^a+$' })).toBe(true);
  });

  it('refuses a pattern given at run time that is longer than the limit', () => {
    const error = failure('payload.s.matches(payload.p)', { s: 'a', p: 'a'.repeat(MAX_PATTERN_LENGTH + 1) });
    expect(error.message).toMatch(new RegExp(`the limit is ${MAX_PATTERN_LENGTH.toLocaleString('en-US')}`));
  });

  it('fails on a value that is not text', () => {
    expect(failure('payload.s.matches("5")', { s: 5 }).code).toBe(ErrorCode.ExpressionFailed);
  });
});

describe('evaluation limits', () => {
  const lenient = { ...checks, payloadSchema: undefined };
  const ones = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`;
  const run = (source: string, payload: Record<string, unknown> = {}) => {
    const result = compileExpression(source, position, lenient);
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
    return result.expression.evaluate({ ...scope, payload });
  };
  const failure = (source: string, payload: Record<string, unknown> = {}): string => {
    try {
      run(source, payload);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(ErrorCode.ExpressionFailed);
      return (error as AppError).message;
    }
    throw new Error(`expected \`${source}\` to fail`);
  };

  it('has the documented defaults', () => {
    expect(EXPRESSION_LIMITS).toEqual({
      maxStringLength: 65_536,
      maxListLength: 10_000,
      maxMapSize: 10_000,
      maxTotalSize: 1_000_000,
      maxSteps: 100_000,
    });
  });

  it('refuses a string longer than maxStringLength, naming the limit', () => {
    const s = 'x'.repeat(40_000);
    expect(failure('payload.s + payload.s', { s })).toMatch(/built a string of 80,000 characters; the limit is maxStringLength = 65,536 characters/);
    expect(run('payload.s + "!"', { s })).toHaveLength(40_001);
  });

  it('checks join before it builds the text', () => {
    expect(failure(`${ones(10)}.map(i, payload.s).join()`, { s: 'x'.repeat(10_000) })).toMatch(/maxStringLength/);
    expect(run(`${ones(3)}.map(i, payload.s).join("-")`, { s: 'ab' })).toBe('ab-ab-ab');
    expect(failure('payload.l.join()', { l: ['a', 1] })).toMatch(/only strings/);
  });

  it('refuses a list longer than maxListLength', () => {
    const l = Array.from({ length: 6_000 }, (_, i) => i);
    expect(failure('payload.l + payload.l', { l })).toMatch(/built a list of 12,000 elements; the limit is maxListLength = 10,000/);
    expect(failure('payload.s.split("")', { s: 'x'.repeat(20_000) })).toMatch(/maxListLength/);
  });

  it('refuses a map larger than maxMapSize, and a string or list too long that a function returns', () => {
    // Map literals have at most 200 entries, so only a function can return a larger map.
    const m = Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`k${i}`, i]));
    expect(failure('dyn(payload.m).size() > 0', { m })).toMatch(/built a map of 12,000 entries; the limit is maxMapSize = 10,000/);
    expect(failure('payload.m.map(k, k).size() > 0', { m })).toMatch(/maxListLength/);
    expect(failure('bytes(payload.s).size() > 0', { s: 'x'.repeat(70_000) })).toMatch(/maxStringLength/);
    // Reading a long text is fine; a function returning it is measured.
    expect(run('payload.s.size() == 70000 && payload.s.startsWith("x")', { s: 'x'.repeat(70_000) })).toBe(true);
    expect(failure('payload.s.trim() != ""', { s: 'x'.repeat(70_000) })).toMatch(/maxStringLength/);
  });

  it('refuses more work than maxSteps', () => {
    expect(failure(`${ones(200)}.map(a, ${ones(200)}.map(b, a + b)).size()`)).toMatch(/more than maxSteps = 100,000 steps/);
    expect(run(`${ones(100)}.map(a, ${ones(100)}.map(b, a + b)).size()`)).toBe(100);
  });

  it('refuses more values built in all than maxTotalSize', () => {
    expect(failure(`${ones(200)}.map(a, ${ones(20)}.map(b, payload.s + "!"))`, { s: 'x'.repeat(500) })).toMatch(
      /built more than maxTotalSize = 1,000,000 characters and elements in all/,
    );
  });

  it('a limit reached inside || or exists still fails the evaluation', () => {
    const heavy = `${ones(200)}.map(a, ${ones(200)}.map(b, a + b)).size() > 0`;
    expect(failure(`${heavy} || true`)).toMatch(/maxSteps/);
    expect(failure(`${ones(3)}.exists(x, x == 3 || ${heavy})`)).toMatch(/maxSteps/);
    expect(failure(`${ones(3)}.exists(x, ${heavy} && false)`)).toMatch(/maxSteps/);
  });

  it('counts a regex match by the text it reads and the size of the pattern', () => {
    const s = 'ab'.repeat(50_000);
    expect(failure('payload.s.matches("^[a-z]{1000}$")', { s })).toMatch(/maxSteps/);
    expect(failure(`${ones(20)}.exists(i, payload.s.matches("(a|b)*a(a|b){25}$") == false)`, { s })).toMatch(/maxSteps/);
    expect(run('payload.s.matches("^(ab)+$")', { s })).toBe(true);
  });

  it('gives every evaluation a fresh budget', () => {
    const result = compileExpression(`${ones(100)}.map(a, ${ones(100)}.map(b, a + b)).size()`, position, lenient);
    if (!result.ok) throw new Error('should compile');
    for (let i = 0; i < 5; i++) expect(result.expression.evaluate(scope)).toBe(100);
  });
});
