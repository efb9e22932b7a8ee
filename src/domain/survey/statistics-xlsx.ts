/**
 * 《客户意见调查统计表》 (QP-08-15-F002) as an XLSX workbook, laid out like the paper form:
 * title and form number, the round, the summary line (households, issued, 发放率, returned,
 * 回收率, 总满意率), then one row per service item with the count of each level, the ratings,
 * blanks, satisfied count, 满意率 and 不满意率, a 合计 row, and the signature line.
 *
 * Rates are written as numbers with the `0.0%` format, so the sheet can be recalculated and
 * shows the same one-decimal figures as the printed documents. The date (统计日期) is the local
 * date in the calendar's zone, written as on the printed form (`2026年12月2日`).
 */
import ExcelJS from 'exceljs';
import { neutraliseWorkbook } from '../../common/export-cells.util';
import { dateCn } from '../../documents/template-helpers';
import type { SurveyStatistics } from './statistics';

export const F002_FORM_NO = 'QP-08-15-F002';

const PERCENT = '0.0%';
const THIN = { style: 'thin' as const };
const BOX = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/**
 * Builds the F002 workbook (one sheet, 统计表) and returns it as a Buffer. The heading fields
 * are optional; the sheet leaves them blank to be filled by hand.
 */
export async function exportStatisticsXlsx({
  statistics,
  serviceCenter,
  project,
  batch,
  preparedBy,
  preparedAt,
  timeZone,
}: {
  statistics: SurveyStatistics;
  serviceCenter?: string;
  project?: string;
  batch?: string;
  preparedBy?: string;
  /** When the figures were compiled: an ISO instant (or a date `YYYY-MM-DD`), written as its local date `2026年12月2日`. */
  preparedAt?: string;
  /** The zone of that local date: the business calendar's (default Asia/Shanghai). */
  timeZone?: string;
}): Promise<Buffer> {
  const s = statistics;
  const hasPoints = s.points !== null;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = serviceCenter ?? '';
  const sheet = workbook.addWorksheet('统计表', { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });

  const itemHeader = [
    '序号',
    '服务项目',
    ...s.levels.map((l) => l.label),
    '评价数',
    '未填',
    '满意数',
    '满意率',
    '不满意率',
    ...(hasPoints ? ['平均得分'] : []),
  ];
  const width = itemHeader.length;

  sheet.mergeCells(1, 1, 1, width - 2);
  const title = sheet.getCell(1, 1);
  title.value = '客户意见调查统计表';
  title.font = { bold: true, size: 16 };
  title.alignment = { horizontal: 'center' };
  sheet.mergeCells(1, width - 1, 1, width);
  sheet.getCell(1, width - 1).value = `表号：${F002_FORM_NO}`;
  sheet.getCell(1, width - 1).alignment = { horizontal: 'right' };

  sheet.getRow(2).values = ['服务中心', serviceCenter ?? '', '项目', project ?? '', '调查批次', batch ?? '', '统计日期', dateCn(preparedAt, { timeZone })];

  const summaryHeader = [
    '总户数',
    '发放份数',
    '发放率',
    '回收份数',
    '回收率',
    '评价总数',
    '满意数',
    '总满意率',
    '总不满意率',
    ...(hasPoints ? ['平均得分'] : []),
  ];
  const summary = [
    s.households,
    s.issued,
    s.issuanceRate,
    s.returned,
    s.responseRate,
    s.ratings,
    s.satisfiedRatings,
    s.overallSatisfaction,
    s.overallDissatisfaction,
    ...(hasPoints ? [s.points!.displayScore] : []),
  ];
  sheet.getRow(4).values = summaryHeader;
  sheet.getRow(5).values = summary;
  for (const c of [3, 5, 8, 9]) sheet.getCell(5, c).numFmt = PERCENT;
  boxRows(sheet, 4, 5, summaryHeader.length, true);

  const headerRow = 7;
  sheet.getRow(headerRow).values = itemHeader;
  const levelCols = s.levels.length;
  s.items.forEach((item, i) => {
    const row = sheet.getRow(headerRow + 1 + i);
    row.values = [
      i + 1,
      item.label,
      ...item.distribution.map((d) => d.count),
      item.ratings,
      item.blanks,
      item.satisfied,
      item.satisfaction,
      item.dissatisfaction,
      ...(hasPoints ? [item.points ? item.points.displayScore : null] : []),
    ];
    row.getCell(2 + levelCols + 4).numFmt = PERCENT;
    row.getCell(2 + levelCols + 5).numFmt = PERCENT;
  });
  const totalRowNo = headerRow + 1 + s.items.length;
  const total = sheet.getRow(totalRowNo);
  total.values = [
    '合计',
    '',
    ...s.distribution.map((d) => d.count),
    s.ratings,
    s.items.reduce((n, i) => n + i.blanks, 0),
    s.satisfiedRatings,
    s.overallSatisfaction,
    s.overallDissatisfaction,
    ...(hasPoints ? [s.points!.displayScore] : []),
  ];
  total.getCell(2 + levelCols + 4).numFmt = PERCENT;
  total.getCell(2 + levelCols + 5).numFmt = PERCENT;
  total.font = { bold: true };
  boxRows(sheet, headerRow, totalRowNo, width, true);

  const notes = totalRowNo + 2;
  sheet.getCell(notes, 1).value =
    `说明：满意率 = 该项满意等级（${s.satisfiedLevelLabels.join('、')}）评定数量 / 该项评定总数；不满意率 = 该项不满意等级（${s.dissatisfiedLevelLabels.join('、')}）评定数量 / 该项评定总数；未填的不计入评定数。总满意率 = 各项满意评定数之和 / 各项评定数之和。`;
  sheet.mergeCells(notes, 1, notes, width);
  sheet.getCell(notes + 2, 1).value = `统计人：${preparedBy ?? ''}`;
  sheet.getCell(notes + 2, Math.max(4, width - 2)).value = '审核人：';

  sheet.getColumn(1).width = 8;
  sheet.getColumn(2).width = 22;
  for (let c = 3; c <= width; c++) sheet.getColumn(c).width = 11;
  neutraliseWorkbook(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function boxRows(sheet: ExcelJS.Worksheet, from: number, to: number, width: number, boldFirst: boolean): void {
  for (let r = from; r <= to; r++) {
    for (let c = 1; c <= width; c++) {
      const cell = sheet.getCell(r, c);
      cell.border = BOX;
      cell.alignment = { horizontal: c === 2 && r > from ? 'left' : 'center', vertical: 'middle', wrapText: true };
    }
  }
  if (boldFirst) sheet.getRow(from).font = { bold: true };
}
