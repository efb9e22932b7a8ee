import { ajvLinearRegExp, cachedLinearRegExp, compileLinearRegExp, MAX_PATTERN_LENGTH } from './linear-regexp.util';

const compiled = (pattern: string) => {
  const result = compileLinearRegExp(pattern);
  if (!result.ok) throw new Error(result.message);
  return result.regexp;
};

describe('compileLinearRegExp', () => {
  it('tests like RegExp.prototype.test: a match anywhere, anchors when written', () => {
    expect(compiled('b').test('abc')).toBe(true);
    expect(compiled('^b').test('abc')).toBe(false);
    expect(compiled('^[0-9a-f]{64}$').test('a'.repeat(64))).toBe(true);
    expect(compiled('^(?<year>\\d{4})-\\d{2}$').test('2026-03')).toBe(true);
  });

  it('answers on a catastrophic pattern', () => {
    expect(compiled('^(a+)+$').test('a'.repeat(5000) + '!')).toBe(false);
    expect(compiled('(x+x+)+y').test('x'.repeat(5000))).toBe(false);
  });

  it('refuses back-references and look-around in plain words, but not the same characters in a class', () => {
    for (const p of ['(a)\\1', '(?<n>a)\\k<n>'])
      expect(compileLinearRegExp(p)).toEqual({ ok: false, message: expect.stringMatching(/back-references .* not supported; patterns run on RE2/) });
    for (const p of ['(?=a)', 'a(?!b)', '(?<=a)b', '(?<!a)b'])
      expect(compileLinearRegExp(p)).toEqual({ ok: false, message: expect.stringMatching(/look-around .* not supported/) });
    expect(compiled('[(?=]').test('=')).toBe(true);
    expect(compiled('\\\\1').test('\\1')).toBe(true);
  });

  it('says what RE2 refuses otherwise, and refuses a pattern longer than the limit', () => {
    expect(compileLinearRegExp('a{2000}')).toEqual({
      ok: false,
      message: 'the pattern `a{2000}` cannot be used: RE2 refuses it (invalid repeat count: `{2000}`)',
    });
    expect(compileLinearRegExp('a'.repeat(MAX_PATTERN_LENGTH + 1))).toEqual({ ok: false, message: expect.stringMatching(/the limit is 1,000/) });
  });

  it('gives each pattern its own text for ajv, which keys compiled patterns by it', () => {
    expect(String(ajvLinearRegExp('^a$'))).toBe('/^a$/');
    expect(() => ajvLinearRegExp('(a)\\1')).toThrow(/back-references/);
  });

  it('caches run-time patterns, refusals included', () => {
    expect(cachedLinearRegExp('^x')).toBe(cachedLinearRegExp('^x'));
    expect(cachedLinearRegExp('(a)\\1').ok).toBe(false);
  });
});
