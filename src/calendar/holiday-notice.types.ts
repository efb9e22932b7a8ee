/**
 * What `parseHolidayNotice` (holiday-notice.ts) reads out of a State Council notice: the
 * holiday blocks and adjusted working days per item, the lines it did not use, and the
 * problems with their positions.
 */
/** The statutory holidays as the notices name them, in the order of the notices. */
export const HOLIDAY_NAMES = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'] as const;

/** Chinese weekday names as printed for the process owner, index 0 = Sunday. */
export const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

export interface NoticeDay {
  readonly date: string; // YYYY-MM-DD
  readonly title: string;
}

/** One holiday sentence of an item: a single day or a range. */
export interface NoticeHolidayBlock {
  readonly line: number;
  readonly column: number;
  readonly start: string;
  readonly end: string;
  /** Every date from start to end, inclusive. */
  readonly dates: readonly string[];
  /** The number of days the notice states (`共N天`, `放假N天`), when it states one. */
  readonly declaredDays?: number;
}

export interface NoticeWorkingDay {
  readonly line: number;
  readonly column: number;
  readonly date: string;
}

/** What the parser understood of one numbered line. */
export interface NoticeItem {
  readonly line: number;
  /** The Chinese numeral of the item, e.g. `二`. */
  readonly numeral: string;
  /** The item's name as written, e.g. `春节` or `国庆节、中秋节`. */
  readonly title: string;
  readonly holidayBlocks: readonly NoticeHolidayBlock[];
  readonly workingDays: readonly NoticeWorkingDay[];
}

export type IgnoredKind =
  | 'blank'
  | 'title'
  | 'document-number'
  | 'addressee'
  | 'introduction'
  | 'closing'
  | 'signature'
  | 'date'
  /** A `鼓励…` sentence inside an item: advice, not an official day. */
  | 'advice'
  | 'other';

/** A line (or, for advice, a sentence) that carries no holiday data. */
export interface NoticeIgnored {
  readonly line: number;
  readonly column: number;
  readonly kind: IgnoredKind;
  readonly text: string;
}

export type NoticeProblemCode =
  /** Neither the title nor the caller gives the year. */
  | 'year-unknown'
  /** The title's year differs from the year the caller asked for. */
  | 'year-mismatch'
  /** No numbered item at all (not a notice, or pasted without its items). */
  | 'no-items'
  /** A numbered line, or a sentence in it, that the parser cannot read. */
  | 'item-unreadable'
  /** An item name that is not one of `HOLIDAY_NAMES`. */
  | 'unknown-holiday'
  /** A line that looks like holiday data but has no `一、` number. */
  | 'unnumbered-item'
  /** A date that does not exist (2月30日, 13月1日). */
  | 'invalid-date'
  /** A date with an explicit year other than the notice's (only 元旦 may name last December). */
  | 'date-outside-year'
  /** The weekday in parentheses is not the date's weekday. */
  | 'weekday-mismatch'
  /** `共N天` differs from the number of days in the range. */
  | 'day-count-mismatch'
  /** The end of a range is before its start. */
  | 'range-reversed'
  /** A date listed twice (two holidays, or a holiday and a working day, or two working days). */
  | 'overlapping-days';

export interface NoticeProblem {
  readonly line: number;
  readonly column: number;
  readonly code: NoticeProblemCode;
  readonly message: string;
}

export interface HolidayNotice {
  /** The year the notice is for; undefined only with a `year-unknown` problem. */
  readonly year?: number;
  /** The title line, when there is one. */
  readonly title?: string;
  /** Every holiday, sorted by date. Only trustworthy when `problems` is empty. */
  readonly holidays: readonly NoticeDay[];
  /** Every adjusted working day (调休上班), sorted by date. */
  readonly workingDays: readonly NoticeDay[];
  readonly items: readonly NoticeItem[];
  readonly ignored: readonly NoticeIgnored[];
  /** Sorted by line and column; any problem means the notice must not be used. */
  readonly problems: readonly NoticeProblem[];
}

export interface ParseHolidayNoticeOptions {
  /** The notice's year, for a text without its title; must agree with the title if both exist. */
  readonly year?: number;
}
