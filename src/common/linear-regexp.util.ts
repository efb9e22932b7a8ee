/**
 * Regular expressions written by process owners (CEL `matches`, JSON Schema `pattern` and
 * `patternProperties` in definitions) run on RE2 (`re2js`, a pure JavaScript port), never on
 * JavaScript's backtracking RegExp: RE2's time grows linearly with the text, so a pattern
 * such as `^(a+)+$` answers on 5,000 characters instead of blocking the process for minutes.
 *
 * Patterns are written in JavaScript syntax (as JSON Schema says) and translated to RE2's.
 * RE2 has no back-references (`\1`, `\k<name>`) and no look-around (`(?=`, `(?!`, `(?<=`,
 * `(?<!`): both are refused with a message that says so, when the definition loads for a
 * literal pattern, or when the expression runs for a pattern computed at run time.
 */
import { RE2JS } from 're2js';

/** Longest pattern accepted (characters). */
export const MAX_PATTERN_LENGTH = 1000;

/** A compiled pattern: `test` finds a match anywhere in the text, like RegExp.prototype.test. */
export interface LinearRegExp {
  readonly source: string;
  /** RE2's program size: the work per character of text grows with it. */
  readonly size: number;
  test(text: string): boolean;
  /** `/source/`: ajv keys its compiled patterns by this text. */
  toString(): string;
}

export type LinearRegExpResult = { readonly ok: true; readonly regexp: LinearRegExp } | { readonly ok: false; readonly message: string };

const HINT = 'patterns run on RE2, a linear-time engine without back-references or look-around; rewrite it without them';

/** The first RE2-unsupported construct outside a character class, if any. */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))) {
        return 'back-references (\\1, \\k<name>) are not supported';
      }
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === '(' && /^\(\?(=|!|<=|<!)/.test(pattern.slice(i, i + 4))) {
      return 'look-around ((?=…), (?!…), (?<=…), (?<!…)) is not supported';
    }
  }
  return undefined;
}

/** Compiles a JavaScript-syntax pattern for RE2, or says in plain words why it cannot. */
export function compileLinearRegExp(pattern: string): LinearRegExpResult {
  const refuse = (why: string): LinearRegExpResult => ({ ok: false, message: `the pattern \`${pattern}\` cannot be used: ${why}` });
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      message: `a pattern of ${pattern.length.toLocaleString('en-US')} characters cannot be used: the limit is ${MAX_PATTERN_LENGTH.toLocaleString('en-US')}`,
    };
  }
  const construct = unsupportedConstruct(pattern);
  if (construct) return refuse(`${construct}; ${HINT}`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).replace(/^error parsing regexp: /, '');
    return refuse(`RE2 refuses it (${reason})`);
  }
  const size = compiled.programSize();
  return {
    ok: true,
    regexp: { source: pattern, size, test: (text: string) => compiled.test(text), toString: () => `/${pattern}/` },
  };
}

const CACHE_SIZE = 256;
const cache = new Map<string, LinearRegExpResult>();

/** `compileLinearRegExp` through a small LRU cache, for patterns computed at run time. */
export function cachedLinearRegExp(pattern: string): LinearRegExpResult {
  const hit = cache.get(pattern);
  if (hit) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  const result = compileLinearRegExp(pattern);
  if (pattern.length <= MAX_PATTERN_LENGTH) {
    cache.set(pattern, result);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return result;
}

/**
 * The engine ajv's `code.regExp` option expects: ajv calls it for each `pattern` and
 * `patternProperties` key when it compiles a schema, so a refused pattern fails the compile.
 * `code` names it for ajv's standalone code generation, which is not used here.
 */
export const ajvLinearRegExp = Object.assign(
  (pattern: string): LinearRegExp => {
    const result = compileLinearRegExp(pattern);
    if (!result.ok) throw new Error(result.message);
    return result.regexp;
  },
  { code: 'ajvLinearRegExp' },
);
