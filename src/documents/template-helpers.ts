/**
 * Handlebars helpers for the Chinese forms and notices: dates, percentages, money, masking of
 * personal data (002 第六条.2), and a few small utilities.
 *
 * Every helper returns a plain string, number or boolean, never a `SafeString`: Handlebars
 * escapes the result, so a value from user data can never inject HTML.
 * Each helper is also exported as a plain function for unit tests and other callers.
 */
import type { HelperDelegate, HelperOptions } from 'handlebars';
import { chineseLocalTime, DEFAULT_TIME_ZONE } from '../calendar/local-time-text.util';

type HandlebarsLike = { registerHelper(name: string, fn: HelperDelegate): void };

/** The zone dates are read in when the catalog is given none (the business calendar's default). */
export const DEFAULT_DOCUMENT_TIME_ZONE = DEFAULT_TIME_ZONE;

/**
 * `2026-02-13` → `2026年2月13日`; an ISO instant or Date is read in Asia/Shanghai (or
 * `timeZone`): `2026-12-01T18:13:58Z` → `2026年12月2日`, with `time` → `2026年12月2日 02:13`.
 * A date-time without an offset is a wall time and shown as written. Empty or unreadable
 * input → '' (a blank on the form). See src/calendar/local-time-text.util.ts.
 */
export function dateCn(value: unknown, opts: { time?: boolean; timeZone?: string } = {}): string {
  return chineseLocalTime(value, opts) ?? '';
}

/** `dateCn` with the time: `2026年12月2日 02:13`; a date without a time stays `2026年12月2日`. */
export function dateTimeCn(value: unknown, opts: { timeZone?: string } = {}): string {
  return dateCn(value, { ...opts, time: true });
}

/**
 * A ratio as a percentage with one decimal: `0.5112` → `51.1%`; with a denominator,
 * `percent(160, 313)` → `51.1%`. Missing input → ''; a zero denominator → '—'.
 */
export function percent(value: unknown, denominator?: unknown): string {
  const num = toNumber(value);
  if (num === undefined) return '';
  let ratio = num;
  if (denominator !== undefined) {
    const den = toNumber(denominator);
    if (den === undefined) return '';
    if (den === 0) return '—';
    ratio = num / den;
  }
  // Round half away from zero on the decimal value, not on binary noise (0.5115 → 51.2%).
  const tenths = Math.round(Number((ratio * 1000).toPrecision(12)));
  return `${(tenths / 10).toFixed(1)}%`;
}

const CNY = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `1234.5` → `¥1,234.50`. Missing input → ''. */
export function money(value: unknown): string {
  const n = toNumber(value);
  return n === undefined ? '' : CNY.format(n);
}

/** Keeps the first character: `张三` → `张*`, `欧阳娜娜` → `欧***`. */
export function maskName(value: unknown): string {
  if (value === undefined || value === null) return '';
  const chars = Array.from(String(value).trim());
  if (chars.length <= 1) return chars.join('');
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * Keeps the first 3 and the last 4 digits, masks the digits between and keeps separators:
 * `13812345678` → `138****5678`, `0755-12345678` → `075*-****5678`. Numbers with fewer than 8
 * digits keep only the last 4, so a whole number is never shown.
 */
export function maskPhone(value: unknown): string {
  if (value === undefined || value === null) return '';
  const chars = Array.from(String(value).trim());
  const digitIdx = chars.map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0);
  const total = digitIdx.length;
  const keepHead = total >= 8 ? 3 : 0;
  const keepTail = Math.min(4, Math.max(total - 1, 0));
  const masked = new Set(digitIdx.slice(keepHead, total - keepTail));
  return chars.map((c, i) => (masked.has(i) ? '*' : c)).join('');
}

/** Strict equality, for `{{#if (eq severity "重大")}}`. */
export function eq(a: unknown, b: unknown): boolean {
  return a === b;
}

/** Numeric sum; missing operands count as 0. */
export function add(a: unknown, b: unknown): number {
  return (toNumber(a) ?? 0) + (toNumber(b) ?? 0);
}

/** `n + 1`, for 1-based row numbers: `{{inc @index}}`. */
export function inc(n: unknown): number {
  return (toNumber(n) ?? 0) + 1;
}

/** Joins a list with `separator` (default the Chinese enumeration comma `、`). */
export function join(list: unknown, separator?: unknown): string {
  if (!Array.isArray(list)) return list === undefined || list === null ? '' : String(list);
  return list
    .filter((x) => x !== undefined && x !== null && x !== '')
    .map(String)
    .join(typeof separator === 'string' ? separator : '、');
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Splits Handlebars' trailing options object from the positional arguments. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

/** The helper names registered by `registerTemplateHelpers` (used to tell helpers from fields). */
export const TEMPLATE_HELPER_NAMES = ['dateCn', 'dateTimeCn', 'percent', 'money', 'maskName', 'maskPhone', 'eq', 'add', 'inc', 'join'] as const;

/**
 * Registers every helper on an isolated Handlebars instance. `timeZone` is the zone dates are
 * read in (the business calendar's, default Asia/Shanghai); `{{dateCn x timeZone="…"}}` in a
 * template overrides it.
 */
export function registerTemplateHelpers(hb: HandlebarsLike, settings: { timeZone?: string } = {}): void {
  const zoneOf = (options: HelperOptions): string => {
    const zone = (options.hash ?? {}).timeZone;
    return typeof zone === 'string' ? zone : (settings.timeZone ?? DEFAULT_DOCUMENT_TIME_ZONE);
  };
  hb.registerHelper('dateCn', (...args: unknown[]) => {
    const { params, options } = split(args);
    const time = (options.hash ?? {}).time;
    return dateCn(params[0], { time: time === true || time === 'true', timeZone: zoneOf(options) });
  });
  hb.registerHelper('dateTimeCn', (...args: unknown[]) => {
    const { params, options } = split(args);
    return dateTimeCn(params[0], { timeZone: zoneOf(options) });
  });
  hb.registerHelper('percent', (...args: unknown[]) => {
    const { params } = split(args);
    return params.length >= 2 ? percent(params[0], params[1]) : percent(params[0]);
  });
  hb.registerHelper('money', (...args: unknown[]) => money(split(args).params[0]));
  hb.registerHelper('maskName', (...args: unknown[]) => maskName(split(args).params[0]));
  hb.registerHelper('maskPhone', (...args: unknown[]) => maskPhone(split(args).params[0]));
  hb.registerHelper('eq', (...args: unknown[]) => {
    const { params } = split(args);
    return eq(params[0], params[1]);
  });
  hb.registerHelper('add', (...args: unknown[]) => {
    const { params } = split(args);
    return add(params[0], params[1]);
  });
  hb.registerHelper('inc', (...args: unknown[]) => inc(split(args).params[0]));
  hb.registerHelper('join', (...args: unknown[]) => {
    const { params } = split(args);
    return join(params[0], params[1]);
  });
}
