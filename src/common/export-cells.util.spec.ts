import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { BusinessCalendar } from '../calendar/business-calendar';
import { monthlyComplaintReport } from '../domain/complaint/monthly-report';
import { exportMonthlyReportXlsx } from '../domain/complaint/monthly-report.xlsx';
import { surveyStatistics } from '../domain/survey/statistics';
import { exportStatisticsXlsx } from '../domain/survey/statistics-xlsx';
import { generateComplaints } from '../../test/fixtures/complaint/complaint-generator';
import { garden000 } from '../../test/fixtures/survey/worked-examples';
import { csvForSpreadsheets, neutraliseFormula } from './export-cells.util';

const HOSTILE = ['=HYPERLINK("http://x")', '102,=1+2', '@SUM(A1)', '+1', '-1+2', '\t=1', '\r=1'];

describe('neutraliseFormula', () => {
  it('prefixes a quote to texts a spreadsheet would run as a formula, and leaves others alone', () => {
    expect(HOSTILE.map(neutraliseFormula)).toEqual(['\'=HYPERLINK("http://x")', '102,=1+2', "'@SUM(A1)", "'+1", "'-1+2", "'\t=1", "'\r=1"]);
    expect(neutraliseFormula('1栋')).toBe('1栋');
    expect(neutraliseFormula('')).toBe('');
  });
});

describe('csvForSpreadsheets', () => {
  it('quotes every field, so commas, quotes and line breaks in a value do not shift the columns', () => {
    const csv = csvForSpreadsheets([
      ['楼栋', '单元', '房号'],
      ['=HYPERLINK("http://x")', '102,=1+2', '@SUM(A1)'],
      ['a\r\nb', 3, null],
    ]);
    expect(csv.startsWith('\ufeff"楼栋","单元","房号"\r\n')).toBe(true);
    const rows = parse(csv, { bom: true }) as string[][];
    expect(rows).toEqual([
      ['楼栋', '单元', '房号'],
      ['\'=HYPERLINK("http://x")', '102,=1+2', "'@SUM(A1)"],
      ['a\r\nb', '3', ''],
    ]);
  });
});

/** Every cell of every sheet: its value and whether it is a formula. */
async function cellsOf(buffer: Buffer): Promise<{ value: unknown; formula: boolean }[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const cells: { value: unknown; formula: boolean }[] = [];
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) => row.eachCell((cell) => cells.push({ value: cell.value, formula: cell.type === ExcelJS.ValueType.Formula }))),
  );
  return cells;
}

describe('XLSX exports write hostile texts as text', () => {
  it('the F002 statistics workbook', async () => {
    const statistics = surveyStatistics(garden000());
    const hostileItems = { ...statistics, items: statistics.items.map((item, i) => ({ ...item, label: HOSTILE[i % HOSTILE.length] })) };
    const buffer = await exportStatisticsXlsx({ statistics: hostileItems, serviceCenter: '=1+2', project: '@SUM(A1)', batch: '-3', preparedBy: '+cmd' });
    const cells = await cellsOf(buffer);
    expect(cells.some((c) => c.formula)).toBe(false);
    const texts = cells.map((c) => c.value).filter((v): v is string => typeof v === 'string');
    expect(texts).toEqual(expect.arrayContaining(["'=1+2", "'@SUM(A1)", "'-3", '\'=HYPERLINK("http://x")', '102,=1+2']));
    expect(texts.filter((t) => /^[=+\-@\t\r]/.test(t))).toEqual([]);
  });

  it('the complaint monthly report workbook', async () => {
    const { records } = generateComplaints({ count: 20, seed: 7, until: '2026-03-20T12:00:00+08:00' });
    const report = monthlyComplaintReport({ month: '2026-02', records, calendar: new BusinessCalendar(), now: new Date('2026-03-03T09:00:00+08:00') });
    const complaints = report.complaints.map((c, i) => ({ ...c, content: HOSTILE[i % HOSTILE.length], unit: '@SUM(A1)', explanation: '=1+2' }));
    const cells = await cellsOf(await exportMonthlyReportXlsx({ report: { ...report, complaints } }));
    expect(cells.some((c) => c.formula)).toBe(false);
    const texts = cells.map((c) => c.value).filter((v): v is string => typeof v === 'string');
    expect(texts).toEqual(expect.arrayContaining(['\'=HYPERLINK("http://x")', "'@SUM(A1)", "'=1+2"]));
    expect(texts.filter((t) => /^[=+\-@\t\r]/.test(t))).toEqual([]);
  });
});
