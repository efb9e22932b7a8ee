/**
 * The 投诉月报 as an Excel workbook, for the CS center to annotate and forward:
 * - 汇总 (summary): period, key figures, counts by channel / category / severity / department,
 *   reply timeliness and the top causes;
 * - 投诉明细 (list): one row per complaint received in the month, late ones marked.
 *
 * Times are written as Excel dates holding the LOCAL wall time of the report's time zone
 * (Excel dates have no zone): 2026-02-13T02:00Z shows as 2026-02-13 10:00 for Asia/Shanghai.
 * The workbook is built from the report object only; it computes nothing itself.
 */
import ExcelJS from 'exceljs';
import { neutraliseWorkbook } from '../../common/export-cells.util';
import { localParts } from '../../calendar/zoned-time.util';
import type { CountRow, MonthlyComplaintReport } from './monthly-report';

export const SUMMARY_SHEET = '汇总';
export const LIST_SHEET = '投诉明细';

/** The list sheet's columns, in order: header and width. */
export const LIST_COLUMNS = [
  ['投诉编号', 14],
  ['受理时间', 17],
  ['投诉渠道', 12],
  ['单位/房号', 12],
  ['投诉内容', 36],
  ['有效性', 8],
  ['投诉类别', 10],
  ['严重程度', 8],
  ['责任部门', 12],
  ['当前状态', 18],
  ['派单时间', 17],
  ['回单时限', 17],
  ['首次回单时间', 17],
  ['回单用时（工作日）', 10],
  ['回单情况', 12],
  ['超时（工作日）', 10],
  ['延误说明', 30],
  ['重新处理次数', 8],
  ['结案时间', 17],
] as const;

const DATE_TIME = 'yyyy-mm-dd hh:mm';

/** The report as an .xlsx file (summary sheet and list sheet). */
export async function exportMonthlyReportXlsx({ report }: { report: MonthlyComplaintReport }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '客户服务中心';
  wb.created = new Date(report.asOf);
  const local = (iso: string | undefined): Date | null => {
    if (!iso) return null;
    const p = localParts(new Date(iso), report.timeZone);
    return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second));
  };

  const s = wb.addWorksheet(SUMMARY_SHEET);
  s.columns = [{ width: 26 }, { width: 14 }, { width: 4 }, { width: 20 }, { width: 10 }];
  s.addRow([`投诉月报 ${report.monthTitle}`]).font = { bold: true, size: 14 };
  s.addRow(['统计期间', `${report.periodStart} 至 ${report.periodEnd}`]);
  const asOf = s.addRow(['统计时间', local(report.asOf)]);
  asOf.getCell(2).numFmt = DATE_TIME;
  if (!report.monthComplete) s.addRow(['说明', '本月尚未结束，数据不完整']);
  s.addRow([]);

  const t = report.replyTimeliness;
  const figures: [string, number | null][] = [
    ['受理投诉', report.received],
    ['有效投诉', report.valid],
    ['无效投诉', report.invalid],
    ['未分类', report.unclassified],
    ['已派单', report.dispatched],
    ['已回单', report.replied],
    ['按时回单', t.onTime],
    ['已说明延误', t.explained],
    ['超时未说明', t.late],
    ['未到期', t.pending],
    ['按时回单率', t.onTimeRate],
    ['超过时限仍未回单', report.unansweredPastDeadline],
    ['上报经理', report.escalated],
    ['本月受理且已结案', report.closed],
    ['本月结案（含以前月份受理）', report.closedDuringMonth],
    ['重新处理的投诉', report.reopened],
    ['重新处理次数', report.reopenings],
    ['平均回单用时（工作日）', report.averageWorkingDaysToReply],
    ['月末未结案', report.backlogAtMonthEnd],
  ];
  s.addRow(['主要指标', '数值']).font = { bold: true };
  for (const [label, value] of figures) {
    const row = s.addRow([label, value]);
    if (label === '按时回单率') row.getCell(2).numFmt = '0.0%';
  }

  const table = (title: string, rows: readonly CountRow[]) => {
    s.addRow([]);
    s.addRow([title, '件数']).font = { bold: true };
    for (const r of rows) s.addRow([r.name, r.count]);
  };
  table('按投诉渠道', report.byChannel);
  table('按投诉类别（有效投诉）', report.byCategory);
  table('按严重程度（有效投诉）', report.bySeverity);
  table('按责任部门（已派单）', report.byDepartment);
  table('主要类别', report.topCategories);
  table('主要责任部门', report.topDepartments);
  table('投诉内容关键词', report.topKeywords);

  const l = wb.addWorksheet(LIST_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  l.columns = LIST_COLUMNS.map(([header, width]) => ({ header, width }));
  l.getRow(1).font = { bold: true };
  for (const c of report.complaints) {
    const late = c.replyTimeliness === 'late' || c.replyTimeliness === 'explained';
    const row = l.addRow([
      c.businessKey,
      local(c.receivedAt),
      c.channel,
      c.unit,
      c.content,
      c.validTitle,
      c.category ?? '',
      c.severity ?? '',
      c.department ?? '',
      c.stateTitle,
      local(c.dispatchedAt),
      local(c.replyDeadline),
      local(c.firstReplyAt),
      c.workingDaysToFirstReply ?? null,
      c.timelinessTitle,
      late ? (c.workingDaysLate ?? null) : null,
      c.explanation ?? '',
      c.reopenedCount,
      local(c.closedAt),
    ]);
    for (const col of [2, 11, 12, 13, 19]) row.getCell(col).numFmt = DATE_TIME;
    row.getCell(5).alignment = { wrapText: true, vertical: 'top' };
    if (late) row.getCell(15).font = { color: { argb: 'FFC00000' }, bold: true };
  }
  l.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: LIST_COLUMNS.length } };

  neutraliseWorkbook(wb);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
