/**
 * Writes one year's official holidays into the calendar file's `officialYears` (text in, text
 * out: no I/O), and compares them with the official data bundled in chinese-days.
 *
 * The file is edited, not regenerated: only the `officialYears` block is re-serialised (with
 * the `yaml` Document API, so the comments inside it survive); every other byte of the file —
 * its comments, blank lines and aligned inline comments — stays as it was. The result is read
 * back with `parseCalendarFile` and must equal the edited document, or the whole document is
 * serialised instead (correct, but with normalised spacing).
 *
 * How the service uses what is written (see `BusinessCalendar`): the file's `officialYears`
 * are merged into the chinese-days data, they do not replace it. A date the file lists is
 * added (for a date both list, the file's title wins), but a date chinese-days lists cannot be
 * removed by the file; and when one side makes a date a holiday and the other an adjusted
 * working day, the working day wins, because `dayInfo` checks adjusted working days first.
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { AppError, ErrorCode } from '../common/app-error';
import { BusinessCalendar, CHINESE_DAYS_SOURCE, type BusinessCalendarConfig, type CalendarDay, type OfficialCalendarSource } from './business-calendar';
import { parseCalendarFile } from './calendar-file';

export interface OfficialYearInput {
  /** The calendar file's current text. */
  readonly text: string;
  /** The file's name, for messages only. */
  readonly file?: string;
  readonly year: number;
  /**
   * The year's holidays and adjusted working days, as the notice gives them. Days in another
   * year (元旦 starting on 31 December of the year before) go into that year's entry.
   */
  readonly holidays: readonly CalendarDay[];
  readonly workingDays: readonly CalendarDay[];
  /** One line written as a comment above the year's entry, e.g. the notice's title. */
  readonly comment?: string;
  /** The package data the calendar merges with (default: chinese-days). */
  readonly source?: OfficialCalendarSource;
}

/** Days of the notice that belong to another year, and what was done with them. */
export interface CarriedDays {
  readonly year: number;
  readonly holidays: readonly CalendarDay[];
  readonly workingDays: readonly CalendarDay[];
  /** True when the file had no entry for that year and one was created for these days alone. */
  readonly created: boolean;
}

export interface OfficialYearUpdate {
  /** The new text of the calendar file. */
  readonly text: string;
  /** True when the file already had an entry for the year; it was replaced. */
  readonly replaced: boolean;
  readonly carried: readonly CarriedDays[];
  /** The new file as `parseCalendarFile` reads it. */
  readonly config: BusinessCalendarConfig;
}

/**
 * Sets `officialYears` of `year` in a calendar file's text: replaces the year's entry (or
 * inserts one, in year order) and merges days of other years into their entries (see
 * `CarriedDays`). Throws `CalendarInvalid` when the file is invalid before or would be after,
 * and `CalendarDataMissing` when a carried day lands in a year without any official data
 * (writing it would make that year look covered).
 */
export function setOfficialYear(input: OfficialYearInput): OfficialYearUpdate {
  const { text, year } = input;
  const file = input.file ?? 'calendar.yaml';
  const before = parseCalendarFile(text, file);
  const doc: Document = parseDocument(text, { schema: 'core', uniqueKeys: true });

  const own = { holidays: input.holidays.filter((d) => inYear(d, year)), workingDays: input.workingDays.filter((d) => inYear(d, year)) };
  if (own.holidays.length === 0) {
    throw new AppError(ErrorCode.CalendarInvalid, `no holidays in ${year} to write: an officialYears entry needs at least one`, { year });
  }

  const root = isMap(doc.contents) ? doc.contents : undefined;
  const existingPair = root?.items.find((p) => isScalar(p.key) && p.key.value === 'officialYears');
  const span =
    existingPair && isScalar(existingPair.key) ? [existingPair.key.range![0], ((existingPair.value as Node | null) ?? existingPair.key).range![2]] : undefined;
  let seq: YAMLSeq;
  if (existingPair && isSeq(existingPair.value)) {
    seq = existingPair.value;
    seq.flow = false; // `officialYears: []` becomes a block list
  } else {
    seq = new YAMLSeq();
    if (existingPair) existingPair.value = seq;
  }

  const entries = seq.items.filter((e): e is YAMLMap => isMap(e));
  const yearOf = (e: YAMLMap): unknown => e.get('year');
  const entry = yearEntry(doc, year, own.holidays, own.workingDays);
  const previous = entries.filter((e) => yearOf(e) === year);
  entry.commentBefore = input.comment !== undefined ? ` ${input.comment}` : previous[0]?.commentBefore;
  if (previous.length > 0) {
    seq.items.splice(seq.items.indexOf(previous[0]), 1, entry);
    for (const extra of previous.slice(1)) seq.items.splice(seq.items.indexOf(extra), 1);
  } else {
    insertByYear(seq, entry, year);
  }

  const carried: CarriedDays[] = [];
  const otherYears = [...new Set([...input.holidays, ...input.workingDays].map((d) => yearOfDate(d.date)))].filter((y) => y !== year).sort();
  for (const other of otherYears) {
    const holidays = input.holidays.filter((d) => inYear(d, other));
    const workingDays = input.workingDays.filter((d) => inYear(d, other));
    const target = entries.find((e) => yearOf(e) === other);
    if (target) {
      for (const d of holidays) mergeDay(doc, target, 'holidays', 'workingDays', d);
      for (const d of workingDays) mergeDay(doc, target, 'workingDays', 'holidays', d);
      carried.push({ year: other, holidays, workingDays, created: false });
      continue;
    }
    const dates = [...holidays, ...workingDays].map((d) => d.date).join(', ');
    if (!new BusinessCalendar(before, input.source ?? CHINESE_DAYS_SOURCE).hasDataFor(other)) {
      throw new AppError(
        ErrorCode.CalendarDataMissing,
        `the ${year} notice puts ${dates} in ${other}, but neither ${file} nor chinese-days has official data for ${other}: ` +
          `import the ${other} notice first, then this one`,
        { year: other, dates },
      );
    }
    if (holidays.length === 0) {
      throw new AppError(
        ErrorCode.CalendarInvalid,
        `the ${year} notice makes ${dates} a working day in ${other}, but ${file} has no officialYears entry for ${other} ` +
          `and an entry needs at least one holiday: add the ${other} entry by hand, then import again`,
        { year: other, dates },
      );
    }
    const created = yearEntry(doc, other, holidays, workingDays);
    created.commentBefore = ` Only the days the ${year} notice puts in ${other}; the rest of ${other} comes from chinese-days.`;
    insertByYear(seq, created, other);
    carried.push({ year: other, holidays, workingDays, created: true });
  }

  let out: string | undefined;
  if (!root || !root.flow) {
    const block = new Document(null, { schema: 'core' });
    block.contents = new YAMLMap();
    block.contents.items.push(new Pair(new Scalar('officialYears'), seq));
    const blockText = block.toString({ lineWidth: 0 });
    out = span ? text.slice(0, span[0]) + blockText + text.slice(span[1]) : text + (text === '' || text.endsWith('\n') ? '' : '\n') + blockText;
  }
  if (!existingPair) {
    const map = root ?? new YAMLMap();
    map.items.push(new Pair(new Scalar('officialYears'), seq));
    doc.contents = map;
  }
  const expected: unknown = doc.toJS() ?? {};
  let config = out === undefined ? undefined : tryParse(out, file);
  if (out === undefined || !config || !isDeepStrictEqual(config, expected)) {
    out = doc.toString({ lineWidth: 0 });
    config = parseCalendarFile(out, file);
  }
  return { text: out, replaced: previous.length > 0, carried, config };
}

/** How a notice's days compare with the chinese-days data for the same dates and year. */
export interface SourceComparison {
  /** Whether the package has official data for the year; if so, the calendar merges both. */
  readonly sourceHasYear: boolean;
  /** Notice days the package does not have as the same kind (holiday or working day). */
  readonly onlyInNotice: { readonly holidays: readonly string[]; readonly workingDays: readonly string[] };
  /** Package days of the year the notice does not have as the same kind: the file cannot remove them. */
  readonly onlyInSource: { readonly holidays: readonly string[]; readonly workingDays: readonly string[] };
}

/** Compares a notice's days with the package's official data (default: chinese-days). */
export function compareWithOfficialSource(
  notice: { readonly year: number; readonly holidays: readonly CalendarDay[]; readonly workingDays: readonly CalendarDay[] },
  source: OfficialCalendarSource = CHINESE_DAYS_SOURCE,
): SourceComparison {
  const inYear = (map: Readonly<Record<string, string>>): string[] => Object.keys(map).filter((d) => d.startsWith(`${notice.year}-`));
  const holidays = new Set(notice.holidays.map((d) => d.date));
  const workingDays = new Set(notice.workingDays.map((d) => d.date));
  return {
    sourceHasYear: inYear(source.holidays).length > 0,
    onlyInNotice: {
      holidays: [...holidays].filter((d) => !(d in source.holidays)).sort(),
      workingDays: [...workingDays].filter((d) => !(d in source.workdays)).sort(),
    },
    onlyInSource: {
      holidays: inYear(source.holidays)
        .filter((d) => !holidays.has(d))
        .sort(),
      workingDays: inYear(source.workdays)
        .filter((d) => !workingDays.has(d))
        .sort(),
    },
  };
}

function yearEntry(doc: Document, year: number, holidays: readonly CalendarDay[], workingDays: readonly CalendarDay[]): YAMLMap {
  const entry = new YAMLMap();
  entry.items.push(doc.createPair('year', year), doc.createPair('holidays', daySeq(doc, holidays)), doc.createPair('workingDays', daySeq(doc, workingDays)));
  return entry;
}

/** A block list of one-line `{ date, title }` maps; `[]` when empty. */
function daySeq(doc: Document, days: readonly CalendarDay[]): YAMLSeq {
  const seq = new YAMLSeq();
  seq.items = [...days].sort((a, b) => compare(a.date, b.date)).map((d) => dayNode(doc, d));
  seq.flow = days.length === 0;
  return seq;
}

function dayNode(doc: Document, d: CalendarDay): YAMLMap {
  const node = doc.createNode({ date: d.date, title: d.title }) as YAMLMap;
  node.flow = true;
  return node;
}

/** Puts a day into one list of an entry (replacing the same date) and takes it out of the other. */
function mergeDay(doc: Document, entry: YAMLMap, into: 'holidays' | 'workingDays', other: 'holidays' | 'workingDays', d: CalendarDay): void {
  const sameDate = (n: unknown): boolean => isMap(n) && n.get('date') === d.date;
  const from: unknown = entry.get(other, true);
  if (isSeq(from)) from.items = from.items.filter((n) => !sameDate(n));
  const list: unknown = entry.get(into, true);
  const seq = isSeq(list) ? list : new YAMLSeq();
  if (seq !== list) entry.set(into, seq);
  const at = seq.items.findIndex(sameDate);
  if (at >= 0) {
    seq.items[at] = dayNode(doc, d);
    return;
  }
  const next = seq.items.findIndex((n) => isMap(n) && compare(String(n.get('date')), d.date) > 0);
  seq.items.splice(next < 0 ? seq.items.length : next, 0, dayNode(doc, d));
  seq.flow = false;
}

function insertByYear(seq: YAMLSeq, entry: YAMLMap, year: number): void {
  const next = seq.items.findIndex((e) => isMap(e) && typeof e.get('year') === 'number' && (e.get('year') as number) > year);
  seq.items.splice(next < 0 ? seq.items.length : next, 0, entry);
}

function tryParse(text: string, file: string): BusinessCalendarConfig | undefined {
  try {
    return parseCalendarFile(text, file);
  } catch {
    return undefined;
  }
}

const yearOfDate = (date: string): number => Number(date.slice(0, 4));
const inYear = (d: CalendarDay, year: number): boolean => yearOfDate(d.date) === year;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
