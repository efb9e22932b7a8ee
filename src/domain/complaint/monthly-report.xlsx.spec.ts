import ExcelJS from 'exceljs';
import { BusinessCalendar } from '../../calendar/business-calendar';
import { ComplaintRun } from '../../../test/fixtures/complaint/complaint-driver';
import { generateComplaints } from '../../../test/fixtures/complaint/complaint-generator';
import { monthlyComplaintReport } from './monthly-report';
import { exportMonthlyReportXlsx, LIST_COLUMNS, LIST_SHEET, SUMMARY_SHEET } from './monthly-report.xlsx';

describe('exportMonthlyReportXlsx', () => {
  const { records } = generateComplaints({ count: 150, seed: 7, until: '2026-03-20T12:00:00+08:00' });
  const report = monthlyComplaintReport({ month: '2026-02', records, calendar: new BusinessCalendar(), now: new Date('2026-03-03T09:00:00+08:00') });
  let wb: ExcelJS.Workbook;

  beforeAll(async () => {
    const buffer = await exportMonthlyReportXlsx({ report });
    expect(buffer.subarray(0, 2).toString()).toBe('PK'); // a zip, as every .xlsx
    wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer); // exceljs' own Buffer type differs from Node's
  });

  /** Label (column A) → value (column B) of the summary sheet; the first occurrence wins. */
  const summary = () => {
    const map = new Map<string, unknown>();
    wb.getWorksheet(SUMMARY_SHEET)!.eachRow((row) => {
      const label = row.getCell(1).value;
      if (typeof label === 'string' && !map.has(label)) map.set(label, row.getCell(2).value);
    });
    return map;
  };

  it('has the summary and the list sheets', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([SUMMARY_SHEET, LIST_SHEET]);
    expect(wb.getWorksheet(SUMMARY_SHEET)!.getCell('A1').value).toBe('投诉月报 2026年2月');
  });

  it('reads back the key figures of the report', () => {
    const s = summary();
    expect(s.get('统计期间')).toBe('2026-02-01 至 2026-02-28');
    expect(s.get('受理投诉')).toBe(report.received);
    expect(s.get('有效投诉')).toBe(report.valid);
    expect(s.get('无效投诉')).toBe(report.invalid);
    expect(s.get('按时回单')).toBe(report.replyTimeliness.onTime);
    expect(s.get('超时未说明')).toBe(report.replyTimeliness.late);
    expect(s.get('已说明延误')).toBe(report.replyTimeliness.explained);
    expect(s.get('按时回单率')).toBeCloseTo(report.replyTimeliness.onTimeRate!, 10);
    expect(s.get('月末未结案')).toBe(report.backlogAtMonthEnd);
    expect(s.get('平均回单用时（工作日）')).toBe(report.averageWorkingDaysToReply);
    // Category table: every category with its count.
    for (const c of report.byCategory) expect(s.get(c.name)).toBe(c.count);
    // The statistics time is the local wall time (09:00 in Shanghai), not UTC.
    expect((s.get('统计时间') as Date).toISOString()).toBe('2026-03-03T09:00:00.000Z');
  });

  it('lists every complaint of the month with local times and the late ones marked', () => {
    const sheet = wb.getWorksheet(LIST_SHEET)!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(LIST_COLUMNS.map(([h]) => h));
    expect(sheet.rowCount).toBe(report.complaints.length + 1);
    const keys: string[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) keys.push(String(row.getCell(1).value));
    });
    expect(keys).toEqual(report.complaints.map((c) => c.businessKey));

    const late = report.lateComplaints[0];
    const rowNo = keys.indexOf(late.businessKey) + 2;
    const row = sheet.getRow(rowNo);
    expect(row.getCell(15).value).toBe(late.timelinessTitle);
    expect(row.getCell(15).font?.bold).toBe(true);
    expect(row.getCell(16).value).toBe(late.workingDaysLate);
    const shanghai = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
    expect((row.getCell(2).value as Date).toISOString()).toBe(shanghai(late.receivedAt));
    expect((row.getCell(12).value as Date).toISOString()).toBe(shanghai(late.replyDeadline!));
    expect(row.getCell(12).numFmt).toBe('yyyy-mm-dd hh:mm');
  });
});

describe('exportMonthlyReportXlsx around midnight in Shanghai', () => {
  it('counts and shows a complaint received at 2026-03-31T18:13:58Z under April, at 2026-04-01 02:13', async () => {
    const received = '2026-03-31T18:13:58.216Z'; // 1 April 02:13 in Shanghai
    const record = new ComplaintRun('m', 'TS-0401', { receivedAt: received }, received).toRecord();
    const calendar = new BusinessCalendar();
    const now = new Date('2026-05-02T01:00:00Z');
    expect(monthlyComplaintReport({ month: '2026-03', records: [record], calendar, now }).received).toBe(0);
    const report = monthlyComplaintReport({ month: '2026-04', records: [record], calendar, now });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportMonthlyReportXlsx({ report })) as unknown as ArrayBuffer);
    const row = wb.getWorksheet(LIST_SHEET)!.getRow(2);
    expect(row.getCell(1).value).toBe('TS-0401');
    // Excel dates have no zone: the cell holds the local wall time.
    expect((row.getCell(2).value as Date).toISOString()).toBe('2026-04-01T02:13:58.000Z');
  });
});
