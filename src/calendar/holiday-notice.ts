/**
 * The State Council's yearly holiday notice, 《国务院办公厅关于YYYY年部分节假日安排的通知》, read
 * from its published plain text. A pure function (no I/O): text in, the holidays and adjusted
 * working days it announces out, together with every line it did not use and every problem,
 * each positioned by 1-based line and column (columns count characters).
 *
 * What it reads, one numbered item per line (`一、` … `十、`):
 *
 *   二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
 *
 * - The names before `：` must be among the seven statutory holidays (`HOLIDAY_NAMES`); a
 *   combined item (`国庆节、中秋节`) keeps its combined name: the notice does not say which of
 *   its days is which festival, so every holiday of that item is titled `国庆节、中秋节`.
 * - Each sentence (ended by `。`) is either a holiday sentence (`… 放假 …`: one day, or a range
 *   `A至B`), a working-day sentence (`A、B 上班`), or advice starting with `鼓励` (e.g. "鼓励
 *   各单位……安排职工在除夕休息"), which changes no official day and is listed as ignored.
 *   Anything else in a numbered line is a problem: a half-read item must never pass.
 * - Dates are `M月D日`, optionally with a year (`2022年12月31日`). The end of a range, and
 *   every working day after the first in a list, may omit the month (`至3日`, `、6日`) and
 *   then takes month and year from the date before it. Dates without a year are in the
 *   notice's year; only the 元旦 item may name December of the year before (the 2023 notice:
 *   `2022年12月31日至2023年1月2日`).
 * - A weekday in parentheses (`周四`, `星期四`) must match the date; `共N天` (or `放假N天`) must
 *   match the length of the range.
 * - Holidays are titled with the item's name (`春节`), adjusted working days with the name and
 *   `调休` (`春节调休`), as in the calendar file.
 *
 * Lines that are not numbered items (title, addressee, introduction, closing paragraph,
 * signature, date, blank lines) are listed in `ignored`, not reported as problems, unless
 * they look like an item that lost its number (a date with 放假/上班, or a line starting with a
 * holiday name and `：`): silently skipping those would lose holidays.
 *
 * Problem messages are Chinese (they are read by the process owner who pasted the notice);
 * `NoticeProblemCode` gives their meaning in English.
 */
import { addLocalDays, daysInMonth, formatDate, weekdayOf } from './zoned-time.util';
import {
  HOLIDAY_NAMES,
  WEEKDAY_NAMES,
  type NoticeDay,
  type NoticeHolidayBlock,
  type NoticeWorkingDay,
  type NoticeItem,
  type IgnoredKind,
  type NoticeIgnored,
  type NoticeProblemCode,
  type NoticeProblem,
  type HolidayNotice,
  type ParseHolidayNoticeOptions,
} from './holiday-notice.types';

export * from './holiday-notice.types';

const TITLE_RE = /关于(\d{4})年部分节假日安排的通知/;
const ITEM_RE = /^(\s*)([一二三四五六七八九十]+)、/;
const NAME_RE = /([^：:]*)[：:]/y;
const DATE_RE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日/y;
const PAREN_RE = /[（(]([^）)]*)[）)]/y;
const WEEKDAY_RE = /(?:周|星期)([一二三四五六日天])/g;
const AFTER_HOLIDAY_RE = /(?:调休|公休)?(?:(\d+)天)?/y;
const CLAUSE_RE = /共(\d+)天|不调休|与周末连休/y;
const LOOKS_LIKE_ITEM_RE = /^(?:元旦|春节|清明节?|劳动节|端午节?|中秋节?|国庆节?)[、：:]/;
const WEEKDAY_INDEX: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };

/** Parses a notice's text; never throws, every finding is in the result (see the module header). */
export function parseHolidayNotice(text: string, options: ParseHolidayNoticeOptions = {}): HolidayNotice {
  // Full-width digits are replaced one for one, so columns stay those of the original text.
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the final newline ends a line, it starts none
  const problems: NoticeProblem[] = [];
  const ignored: NoticeIgnored[] = [];
  const problem: Report = (line, index, code, message) => {
    problems.push({ line, column: index + 1, code, message });
  };

  let title: string | undefined;
  let year = options.year;
  let yearConflict = false;
  const titleLine = lines.findIndex((l) => !ITEM_RE.test(l) && TITLE_RE.test(l));
  if (titleLine >= 0) {
    const m = TITLE_RE.exec(lines[titleLine])!;
    title = lines[titleLine].trim();
    const titleYear = Number(m[1]);
    if (year === undefined) year = titleYear;
    else if (year !== titleYear) {
      yearConflict = true; // reading the items in the wrong year would only add noise
      problem(titleLine + 1, m.index + 2, 'year-mismatch', `标题写的是${titleYear}年，但指定的年份是${year}年：请确认通知和年份`);
    }
  }

  const items: NoticeItem[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const item = ITEM_RE.exec(raw);
    if (item && year !== undefined && !yearConflict) {
      const parsed = parseItem({ raw, line, header: item, year, problem, problems, ignored });
      if (parsed) items.push(parsed);
      return;
    }
    if (item) return; // the year is unknown or contradictory: reported once
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if ((/\d{1,2}月\d{1,2}日/.test(trimmed) && /放假|上班/.test(trimmed)) || LOOKS_LIKE_ITEM_RE.test(trimmed)) {
      problem(line, lead, 'unnumbered-item', `这一行像节假日条目，但行首没有「一、」这样的编号：请按通知原文粘贴整行`);
      return;
    }
    ignored.push({ line, column: lead + 1, kind: ignoredKind(trimmed), text: trimmed });
  });

  if (year === undefined) {
    problem(1, 0, 'year-unknown', '找不到年份：标题应为「国务院办公厅关于YYYY年部分节假日安排的通知」，或者另行指定年份');
  } else if (items.length === 0 && !yearConflict) {
    problem(1, 0, 'no-items', '没有找到任何节假日条目（形如「一、元旦：1月1日……」的编号行）：请粘贴通知全文');
  }

  const { holidays, workingDays } = collectDays(items, problem);
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { year, title, holidays, workingDays, items, ignored, problems };
}

type Report = (line: number, index: number, code: NoticeProblemCode, message: string) => void;

interface DateToken {
  readonly year?: number;
  readonly month?: number;
  readonly day: number;
  readonly text: string;
  /** Index of the token in its line. */
  readonly index: number;
  /** Index just after the token, in its sentence. */
  readonly end: number;
}

interface Paren {
  readonly text: string;
  /** Index of the parenthesis' content in its line. */
  readonly index: number;
  readonly end: number;
}

/** Reads one numbered line; returns undefined when even its name cannot be read. */
function parseItem(input: {
  raw: string;
  line: number;
  header: RegExpExecArray;
  year: number;
  problem: Report;
  /** The problems so far, to tell whether this line added one. */
  problems: readonly NoticeProblem[];
  ignored: NoticeIgnored[];
}): NoticeItem | undefined {
  const { raw, line, header, year, problem, ignored } = input;
  const numeral = header[2];
  const before = input.problems.length;
  NAME_RE.lastIndex = header[0].length;
  const name = NAME_RE.exec(raw);
  if (!name || name[1].trim() === '') {
    problem(line, header[0].length, 'item-unreadable', `第${numeral}条：编号后应为节日名称和冒号，如「${numeral}、元旦：」`);
    return undefined;
  }
  const names = name[1].split('、');
  let at = header[0].length;
  for (const n of names) {
    const lead = n.length - n.trimStart().length;
    if (!(HOLIDAY_NAMES as readonly string[]).includes(n.trim())) {
      problem(line, at + lead, 'unknown-holiday', `「${n.trim()}」不是通知里的节日名称（应为${HOLIDAY_NAMES.join('、')}之一）`);
    }
    at += n.length + 1;
  }
  const title = names.map((n) => n.trim()).join('、');
  const newYearItem = names.some((n) => n.trim() === '元旦');
  const ctx: ItemContext = { raw, line, numeral, year, newYearItem, problem };

  const holidayBlocks: NoticeHolidayBlock[] = [];
  const workingDays: NoticeWorkingDay[] = [];
  let start = header[0].length + name[0].length;
  for (const piece of raw.slice(start).split('。')) {
    const lead = piece.length - piece.trimStart().length;
    const sentence = { text: piece.trim(), index: start + lead };
    start += piece.length + 1;
    if (sentence.text === '') continue;
    if (sentence.text.endsWith('上班')) workingDays.push(...readWorkingDays(ctx, sentence));
    else if (sentence.text.startsWith('鼓励')) {
      ignored.push({ line, column: sentence.index + 1, kind: 'advice', text: sentence.text });
    } else {
      // Anything else must be a holiday sentence; reading it as one finds where a typo starts.
      const block = readHolidays(ctx, sentence);
      if (block) holidayBlocks.push(block);
    }
  }
  if (holidayBlocks.length === 0 && input.problems.length === before) {
    problem(
      line,
      header[0].length + name[0].length,
      'item-unreadable',
      `第${numeral}条（${title}）没有放假日期，如「1月1日（周四）至3日（周六）放假调休，共3天。」`,
    );
  }
  return { line, numeral, title, holidayBlocks, workingDays };
}

interface ItemContext {
  readonly raw: string;
  readonly line: number;
  readonly numeral: string;
  readonly year: number;
  readonly newYearItem: boolean;
  readonly problem: Report;
}

interface Sentence {
  readonly text: string;
  /** Index of the sentence in its line. */
  readonly index: number;
}

/** `A（…）[至B（…）]放假[调休][N天][，共N天|，不调休|，与周末连休]…` */
function readHolidays(ctx: ItemContext, s: Sentence): NoticeHolidayBlock | undefined {
  const first = readDate(s, 0);
  if (!first || first.month === undefined) return unreadable(ctx, s.index, s.text);
  let p = first.end;
  const firstParen = readParen(s, p);
  if (firstParen) p = firstParen.end;
  let last: DateToken | undefined;
  let lastParen: Paren | undefined;
  if (s.text.startsWith('至', p)) {
    last = readDate(s, p + 1);
    if (!last) return unreadable(ctx, s.index + p + 1, s.text.slice(p + 1));
    p = last.end;
    lastParen = readParen(s, p);
    if (lastParen) p = lastParen.end;
  }
  if (!s.text.startsWith('放假', p)) return unreadable(ctx, s.index + p, s.text.slice(p));
  p += 2;
  let declared: { days: number; index: number } | undefined;
  AFTER_HOLIDAY_RE.lastIndex = p;
  const after = AFTER_HOLIDAY_RE.exec(s.text)!;
  if (after[1] !== undefined) declared = { days: Number(after[1]), index: s.index + p + after[0].indexOf(after[1]) };
  p += after[0].length;
  while (p < s.text.length) {
    if (s.text[p] !== '，' && s.text[p] !== ',') return unreadable(ctx, s.index + p, s.text.slice(p));
    CLAUSE_RE.lastIndex = p + 1;
    const clause = CLAUSE_RE.exec(s.text);
    if (!clause) return unreadable(ctx, s.index + p + 1, s.text.slice(p + 1));
    if (clause[1] !== undefined) declared = { days: Number(clause[1]), index: s.index + p + 1 };
    p = p + 1 + clause[0].length;
  }

  const start = resolveDate(ctx, first, { year: ctx.year });
  const end = last ? resolveDate(ctx, last, { year: first.year ?? ctx.year, month: first.month }) : start;
  if (!start || !end) return undefined;
  if (end < start) {
    ctx.problem(ctx.line, last!.index, 'range-reversed', `「${last!.text}」早于开始日期「${first.text}」：放假的结束日期不能在开始之前`);
    return undefined;
  }
  checkWeekday(ctx, start, firstParen);
  checkWeekday(ctx, end, lastParen);
  const dates: string[] = [];
  for (let d = start; d <= end; d = addLocalDays(d, 1)) dates.push(d);
  if (declared && declared.days !== dates.length) {
    ctx.problem(
      ctx.line,
      declared.index,
      'day-count-mismatch',
      `写的是共${declared.days}天，但${describeDate(start)}至${describeDate(end)}是${dates.length}天：请核对日期和天数`,
    );
  }
  return { line: ctx.line, column: s.index + 1, start, end, dates, declaredDays: declared?.days };
}

/** `A（…）、B（…）…上班` */
function readWorkingDays(ctx: ItemContext, s: Sentence): NoticeWorkingDay[] {
  const tokens: { token: DateToken; paren?: Paren }[] = [];
  let p = 0;
  for (;;) {
    const token = readDate(s, p);
    if (!token || (token.month === undefined && tokens.length === 0)) {
      unreadable(ctx, s.index + p, s.text.slice(p));
      return [];
    }
    p = token.end;
    const paren = readParen(s, p);
    if (paren) p = paren.end;
    tokens.push({ token, paren });
    if (s.text.startsWith('、', p)) p++;
    else if (s.text.slice(p) === '上班') break;
    else {
      unreadable(ctx, s.index + p, s.text.slice(p));
      return [];
    }
  }
  const days: NoticeWorkingDay[] = [];
  let defaults: { year: number; month?: number } = { year: ctx.year };
  for (const { token, paren } of tokens) {
    const date = resolveDate(ctx, token, defaults);
    defaults = { year: token.year ?? defaults.year, month: token.month ?? defaults.month };
    if (!date) continue;
    checkWeekday(ctx, date, paren);
    days.push({ line: ctx.line, column: token.index + 1, date });
  }
  return days;
}

function readDate(s: Sentence, p: number): DateToken | undefined {
  DATE_RE.lastIndex = p;
  const m = DATE_RE.exec(s.text);
  if (!m) return undefined;
  return {
    year: m[1] === undefined ? undefined : Number(m[1]),
    month: m[2] === undefined ? undefined : Number(m[2]),
    day: Number(m[3]),
    text: m[0],
    index: s.index + p,
    end: p + m[0].length,
  };
}

function readParen(s: Sentence, p: number): Paren | undefined {
  PAREN_RE.lastIndex = p;
  const m = PAREN_RE.exec(s.text);
  return m ? { text: m[1], index: s.index + p + 1, end: p + m[0].length } : undefined;
}

/** The YYYY-MM-DD of a token, or undefined after reporting why it is not a usable date. */
function resolveDate(ctx: ItemContext, t: DateToken, defaults: { year: number; month?: number }): string | undefined {
  const year = t.year ?? defaults.year;
  const month = t.month ?? defaults.month!;
  if (month < 1 || month > 12) {
    ctx.problem(ctx.line, t.index, 'invalid-date', `「${t.text}」不是有效日期：没有${month}月`);
    return undefined;
  }
  if (t.day < 1 || t.day > daysInMonth(year, month)) {
    ctx.problem(ctx.line, t.index, 'invalid-date', `「${t.text}」不是有效日期：${year}年${month}月只有${daysInMonth(year, month)}天`);
    return undefined;
  }
  if (t.year !== undefined && t.year !== ctx.year && !(ctx.newYearItem && t.year === ctx.year - 1 && month === 12)) {
    ctx.problem(
      ctx.line,
      t.index,
      'date-outside-year',
      `「${t.text}」不在${ctx.year}年：这份通知只安排${ctx.year}年（只有元旦一条可以写${ctx.year - 1}年12月）`,
    );
    return undefined;
  }
  return formatDate(year, month, t.day);
}

function checkWeekday(ctx: ItemContext, date: string, paren: Paren | undefined): void {
  if (!paren) return;
  const actual = weekdayOf(date);
  for (const m of paren.text.matchAll(WEEKDAY_RE)) {
    if (WEEKDAY_INDEX[m[1]] === actual) continue;
    ctx.problem(ctx.line, paren.index + m.index, 'weekday-mismatch', `${describeDate(date)}是${WEEKDAY_NAMES[actual]}，不是${m[0]}：请核对日期和星期`);
  }
}

function unreadable(ctx: ItemContext, index: number, rest: string): undefined {
  const snippet = rest.length > 12 ? `${rest.slice(0, 12)}…` : rest;
  ctx.problem(
    ctx.line,
    index,
    'item-unreadable',
    `第${ctx.numeral}条从「${snippet}」起看不懂：应写成「1月1日（周四）至3日（周六）放假调休，共3天。」或「1月4日（周日）上班。」这样的原文`,
  );
  return undefined;
}

/** Every holiday and working day, sorted; reports dates listed twice, keeping the first listing. */
function collectDays(items: readonly NoticeItem[], problem: Report): Pick<HolidayNotice, 'holidays' | 'workingDays'> {
  const seen = new Map<string, { line: number; what: string }>();
  const holidays: NoticeDay[] = [];
  const workingDays: NoticeDay[] = [];
  const add = (date: string, line: number, index: number, what: string, into: NoticeDay[], title: string): void => {
    const earlier = seen.get(date);
    if (earlier) {
      problem(line, index, 'overlapping-days', `${describeDate(date)}在第${earlier.line}行已是${earlier.what}，这里又列为${what}：同一天只能出现一次`);
      return;
    }
    seen.set(date, { line, what });
    into.push({ date, title });
  };
  for (const item of items) {
    for (const block of item.holidayBlocks) {
      for (const date of block.dates) add(date, block.line, block.column - 1, `${item.title}假日`, holidays, item.title);
    }
    for (const day of item.workingDays) {
      add(day.date, day.line, day.column - 1, `${item.title}调休上班日`, workingDays, `${item.title}调休`);
    }
  }
  const byDate = (a: NoticeDay, b: NoticeDay): number => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
  return { holidays: holidays.sort(byDate), workingDays: workingDays.sort(byDate) };
}

function ignoredKind(line: string): IgnoredKind {
  if (line === '') return 'blank';
  if (line.includes('部分节假日安排的通知')) return 'title';
  if (line.startsWith('国办发')) return 'document-number';
  if (line.startsWith('各省') || line.endsWith('：')) return 'addressee';
  if (line.startsWith('经国务院批准')) return 'introduction';
  if (line.startsWith('节假日期间')) return 'closing';
  if (line === '国务院办公厅') return 'signature';
  if (/^\d{4}年\d{1,2}月\d{1,2}日$/.test(line)) return 'date';
  return 'other';
}

/** `2026年1月1日`, as the process owner reads it. */
export function describeDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
