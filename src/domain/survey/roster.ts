/**
 * The owner roster (调研名单, DOMAIN.md §1.2): the full household list a project submits for a
 * round, uploaded as CSV (UTF-8, with or without BOM) or XLSX (first sheet).
 *
 * Every bad value is reported with its 1-based spreadsheet row and the column header as written,
 * so the project can fix the file from the list alone. Nobody may be dropped privately
 * (002 §2.3(1)): callers store nothing when `errors` is non-empty (`assertRosterValid`).
 *
 * Pure apart from reading the given buffer: no file system, no database.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { AppError, ErrorCode } from '../../common/app-error';

export interface Household {
  /** `${building}-${unit}-${room}`; `unit` is '' when the roster has no 单元 column or cell. */
  readonly id: string;
  readonly building: string;
  readonly unit: string;
  readonly room: string;
  readonly ownerName: string;
  readonly phone?: string;
  /** 是否入住: only occupied households are sampled (001: 入住业户数). */
  readonly occupied: boolean;
  /** 特殊备注, e.g. flagging a socially prominent owner (002 §2.3(2)). */
  readonly specialRemark?: string;
}

export interface RosterError {
  /** 1-based spreadsheet row (the header is usually row 1). */
  readonly row: number;
  /** The column header as written in the file (or the expected header when it is missing). */
  readonly column: string;
  readonly value: string;
  /** For developers (English). */
  readonly message: string;
  /** The same for the person uploading the file (Chinese): what to change in the spreadsheet. */
  readonly userMessage: string;
}

export interface RosterParseResult {
  readonly households: Household[];
  readonly errors: RosterError[];
}

type Field = 'building' | 'unit' | 'room' | 'ownerName' | 'phone' | 'occupied' | 'specialRemark';

/** Accepted headers per field (compared after trimming, case-insensitive). First = printed name. */
const HEADERS: Record<Field, readonly string[]> = {
  building: ['楼栋', 'building', '楼号', '栋号', '栋'],
  unit: ['单元', 'unit', '单元号'],
  room: ['房号', 'room', '房间号', '门牌号'],
  ownerName: ['业主姓名', 'ownerName', 'owner name', 'owner', '业主', '姓名'],
  phone: ['电话', 'phone', '联系电话', '手机', '手机号'],
  occupied: ['是否入住', 'occupied', '入住'],
  specialRemark: ['特殊备注', 'specialRemark', 'special remark', '备注', 'remark'],
};
const REQUIRED_COLUMNS: readonly Field[] = ['building', 'room', 'ownerName', 'occupied'];
const HEADER_BY_TEXT = new Map<string, Field>(
  (Object.entries(HEADERS) as [Field, readonly string[]][]).flatMap(([field, names]) => names.map((n) => [n.toLowerCase(), field] as [string, Field])),
);

const TRUE_VALUES = new Set(['是', 'true', '1', 'y', 'yes']);
const FALSE_VALUES = new Set(['否', 'false', '0', 'n', 'no']);
const MOBILE = /^(?:\+?86-?)?1[3-9]\d{9}$/;
const LANDLINE = /^(?:0\d{2,3}-?)?[1-9]\d{6,7}(?:-\d{1,6})?$/;
const PHONE_SEPARATORS = /[/、,，;；]/;

/** How many header candidates are looked at before giving up (a title row may come first). */
const HEADER_SEARCH_ROWS = 10;
const PROGRESS_EVERY = 250;

/**
 * Parses a roster file. CSV must be UTF-8 (a BOM is fine); XLSX is read from its first sheet.
 * The header row is the first of the first 10 rows naming at least three known columns, in
 * Chinese or English (楼栋/building, 单元/unit, 房号/room, 业主姓名/ownerName, 电话/phone,
 * 是否入住/occupied, 特殊备注/specialRemark); other columns (序号 …) are ignored.
 *
 * Reports every bad value: missing building/room/ownerName/occupied, an occupied value other
 * than 是/否/true/false/1/0, a malformed phone (mobile or landline, several separated by `/`),
 * and each duplicate household (same building+unit+room), naming both rows. Blank rows are
 * skipped. Throws `RosterInvalid` only when the file cannot be read at all (wrong format,
 * not UTF-8, broken quoting). `onProgress(done, total)` is called as data rows are checked.
 */
export async function parseRoster({
  fileName,
  content,
  onProgress,
}: {
  fileName: string;
  content: Buffer;
  onProgress?: (done: number, total: number) => void;
}): Promise<RosterParseResult> {
  const rows = looksLikeXlsx(fileName, content) ? await readXlsx(fileName, content) : readCsv(fileName, content);
  return checkRows({ rows, onProgress });
}

/** Throws `RosterInvalid` listing every error (at most 200 in the message) when there is any. */
export function assertRosterValid({ fileName, result }: { fileName: string; result: RosterParseResult }): Household[] {
  if (result.errors.length === 0) return result.households;
  const shown = result.errors.slice(0, 200).map((e) => `row ${e.row}, ${e.column}${e.value ? ` '${e.value}'` : ''}: ${e.message}`);
  const more = result.errors.length > shown.length ? `\n… and ${result.errors.length - shown.length} more` : '';
  const forPeople = result.errors.slice(0, 5).map((e) => e.userMessage);
  throw new AppError(
    ErrorCode.RosterInvalid,
    `roster ${fileName} has ${result.errors.length} error(s); nothing was stored:\n${shown.join('\n')}${more}`,
    { errors: result.errors },
    {
      userMessage: `业主名单有 ${result.errors.length} 处错误，未导入任何数据：${forPeople.join('；')}${result.errors.length > forPeople.length ? `；另有 ${result.errors.length - forPeople.length} 处` : ''}。请修改后重新上传。`,
    },
  );
}

/** One spreadsheet row: its 1-based number and its cells as trimmed text. */
interface SheetRow {
  readonly row: number;
  readonly cells: readonly string[];
}

function checkRows({ rows, onProgress }: { rows: SheetRow[]; onProgress?: (done: number, total: number) => void }): RosterParseResult {
  const errors: RosterError[] = [];
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c !== ''));
  const headerAt = nonEmpty.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => r.cells.filter((c) => HEADER_BY_TEXT.has(c.toLowerCase())).length >= 3);
  if (headerAt < 0) {
    const row = nonEmpty[0]?.row ?? 1;
    errors.push({
      row,
      column: '',
      value: '',
      message: `no header row found in the first ${HEADER_SEARCH_ROWS} rows: name the columns 楼栋, 单元, 房号, 业主姓名, 电话, 是否入住, 特殊备注 (or building, unit, room, ownerName, phone, occupied, specialRemark)`,
      userMessage: `前 ${HEADER_SEARCH_ROWS} 行中没有找到表头：请在第一行写上列名 楼栋、单元、房号、业主姓名、电话、是否入住、特殊备注`,
    });
    return { households: [], errors };
  }

  const header = nonEmpty[headerAt];
  const columns = new Map<Field, { index: number; name: string }>();
  header.cells.forEach((text, index) => {
    const field = HEADER_BY_TEXT.get(text.toLowerCase());
    if (!field) return;
    const existing = columns.get(field);
    if (existing) {
      errors.push({
        row: header.row,
        column: text,
        value: text,
        message: `two columns mean ${HEADERS[field][0]} ('${existing.name}' and '${text}'): keep one`,
        userMessage: `「${existing.name}」和「${text}」两列都表示${HEADERS[field][0]}，请只保留一列`,
      });
    } else columns.set(field, { index, name: text });
  });
  for (const field of REQUIRED_COLUMNS) {
    if (!columns.has(field)) {
      errors.push({
        row: header.row,
        column: HEADERS[field][0],
        value: '',
        message: `the column ${HEADERS[field][0]} (${HEADERS[field][1]}) is missing`,
        userMessage: `缺少「${HEADERS[field][0]}」列，请补上这一列`,
      });
    }
  }
  if (errors.length) return { households: [], errors };

  const data = nonEmpty.slice(headerAt + 1);
  const households: Household[] = [];
  const firstRowOf = new Map<string, number>();
  const cell = (r: SheetRow, field: Field): string => {
    const col = columns.get(field);
    return col ? (r.cells[col.index] ?? '') : '';
  };
  const name = (field: Field): string => columns.get(field)?.name ?? HEADERS[field][0];

  data.forEach((r, i) => {
    const before = errors.length;
    const building = cell(r, 'building');
    const unit = cell(r, 'unit');
    const room = cell(r, 'room');
    const ownerName = cell(r, 'ownerName');
    const phone = cell(r, 'phone');
    const occupiedText = cell(r, 'occupied');
    const specialRemark = cell(r, 'specialRemark');
    for (const [field, value] of [
      ['building', building],
      ['room', room],
      ['ownerName', ownerName],
    ] as const) {
      if (value === '')
        errors.push({
          row: r.row,
          column: name(field),
          value,
          message: `${HEADERS[field][0]} is empty: every household needs it`,
          userMessage: `第 ${r.row} 行的「${name(field)}」没有填写，每户都须填写`,
        });
    }
    let occupied = false;
    const o = occupiedText.toLowerCase();
    if (TRUE_VALUES.has(o)) occupied = true;
    else if (!FALSE_VALUES.has(o)) {
      errors.push({
        row: r.row,
        column: name('occupied'),
        value: occupiedText,
        message: occupiedText === '' ? '是否入住 is empty: write 是 or 否' : `'${occupiedText}' is not a 是否入住 value: write 是 or 否 (or true/false, 1/0)`,
        userMessage:
          occupiedText === ''
            ? `第 ${r.row} 行的「${name('occupied')}」没有填写，请填“是”或“否”`
            : `第 ${r.row} 行的「${name('occupied')}」填的是“${occupiedText}”，请填“是”或“否”`,
      });
    }
    if (phone !== '') {
      const bad = phone
        .split(PHONE_SEPARATORS)
        .map((p) => p.replace(/\s+/g, ''))
        .filter((p) => !MOBILE.test(p.replace(/-/g, '')) && !LANDLINE.test(p));
      if (bad.length) {
        errors.push({
          row: r.row,
          column: name('phone'),
          value: phone,
          message: `'${bad[0]}' is not a phone number: write a mobile (11 digits, 1…) or a landline (0755-12345678); separate several with /`,
          userMessage: `第 ${r.row} 行的电话“${bad[0]}”不是有效号码：请填写 11 位手机号或带区号的固定电话（如 0755-12345678），多个号码之间用 / 分隔`,
        });
      }
    }
    if (building !== '' && room !== '') {
      const id = `${building}-${unit}-${room}`;
      const first = firstRowOf.get(id);
      if (first !== undefined) {
        errors.push({
          row: r.row,
          column: name('room'),
          value: room,
          message: `household ${id} appears twice, on rows ${first} and ${r.row}: keep one`,
          userMessage: `住户 ${id} 在第 ${first} 行和第 ${r.row} 行重复出现，请只保留一行`,
        });
      } else firstRowOf.set(id, r.row);
      if (errors.length === before) {
        households.push({
          id,
          building,
          unit,
          room,
          ownerName,
          occupied,
          ...(phone ? { phone } : {}),
          ...(specialRemark ? { specialRemark } : {}),
        });
      }
    }
    if (onProgress && ((i + 1) % PROGRESS_EVERY === 0 || i + 1 === data.length)) onProgress(i + 1, data.length);
  });
  if (data.length === 0)
    errors.push({
      row: header.row,
      column: '',
      value: '',
      message: 'the roster has a header but no households',
      userMessage: '名单只有表头，没有住户，请填写住户后重新上传',
    });
  return { households: errors.length ? [] : households, errors };
}

function looksLikeXlsx(fileName: string, content: Buffer): boolean {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xls')) {
    throw new AppError(
      ErrorCode.RosterInvalid,
      `${fileName} is an old Excel 97–2003 file: save it as .xlsx (Excel workbook) or CSV UTF-8 and upload again`,
      undefined,
      {
        userMessage: `${fileName} 是旧版 Excel 97–2003 文件：请另存为 Excel 工作簿（.xlsx）或“CSV UTF-8（逗号分隔）”后重新上传。`,
      },
    );
  }
  const zip = content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04;
  if (lower.endsWith('.xlsx')) {
    if (!zip)
      throw new AppError(ErrorCode.RosterInvalid, `${fileName} is not an .xlsx workbook: open it in Excel and save as .xlsx`, undefined, {
        userMessage: `${fileName} 不是有效的 Excel 工作簿：请用 Excel 打开后另存为 .xlsx 再上传。`,
      });
    return true;
  }
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return false;
  if (zip) return true;
  throw new AppError(ErrorCode.RosterInvalid, `${fileName}: upload the roster as .xlsx or .csv (UTF-8)`, undefined, {
    userMessage: `${fileName} 不是可导入的名单文件：请上传 Excel 工作簿（.xlsx）或“CSV UTF-8（逗号分隔）”文件。`,
  });
}

function readCsv(fileName: string, content: Buffer): SheetRow[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new AppError(
      ErrorCode.RosterInvalid,
      `${fileName} is not UTF-8 text (Excel saves "CSV" as GBK by default): save it as "CSV UTF-8 (逗号分隔)" or upload the .xlsx`,
      undefined,
      {
        userMessage: `${fileName} 不是 UTF-8 编码的文件（Excel 默认另存的 CSV 是 GBK 编码）：请另存为“CSV UTF-8（逗号分隔）”，或直接上传 Excel 工作簿（.xlsx）。`,
      },
    );
  }
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new AppError(ErrorCode.RosterInvalid, `${fileName} cannot be read as CSV${e.lines ? ` near line ${e.lines}` : ''}: ${e.message}`, undefined, {
      userMessage: `${fileName} 无法按 CSV 读取${e.lines ? `（第 ${e.lines} 行附近）` : ''}：请用 Excel 打开检查后另存为“CSV UTF-8（逗号分隔）”或 .xlsx 再上传。`,
    });
  }
  return records.map((cells, i) => ({ row: i + 1, cells: cells.map(clean) }));
}

async function readXlsx(fileName: string, content: Buffer): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (err) {
    throw new AppError(ErrorCode.RosterInvalid, `${fileName} cannot be opened as an .xlsx workbook: ${(err as Error).message}`, undefined, {
      userMessage: `${fileName} 无法作为 Excel 工作簿打开：请用 Excel 打开后另存为 .xlsx 再上传。`,
    });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet)
    throw new AppError(ErrorCode.RosterInvalid, `${fileName} has no worksheet`, undefined, {
      userMessage: `${fileName} 中没有工作表，请把名单填在第一个工作表中再上传。`,
    });
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as unknown[]; // 1-based: values[0] is unused
    const cells: string[] = [];
    for (let c = 1; c < values.length; c++) cells.push(clean(cellText(values[c])));
    rows.push({ row: rowNumber, cells });
  });
  return rows;
}

/** The text of an exceljs cell value (rich text, hyperlinks and formula results included). */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((t) => t.text).join('');
    if (v.text !== undefined) return cellText(v.text);
    if ('result' in v) return cellText(v.result);
    if (v.error) return v.error;
  }
  return String(value);
}

/** Trims ordinary and full-width spaces (common in Chinese spreadsheets) and a stray BOM. */
function clean(text: string): string {
  return text.replace(/^[\s\u3000\ufeff]+|[\s\u3000]+$/g, '');
}
