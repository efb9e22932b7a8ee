/**
 * A case's audit trail as files for auditors: an XLSX workbook (sheet 审计记录, one row per
 * entry, people's names and Chinese titles beside the stored values, every text neutralised by
 * export-cells.util so no value runs as a formula) and JSON (the entries as the API's
 * GET /instances/:id/audit returns them to this reader, masked alike).
 */
import ExcelJS from 'exceljs';
import { neutraliseWorkbook } from '../common/export-cells.util';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { AuditEntryView, InstanceView } from '../engine/instance.types';
import type { CasePresenter } from './case-presenter';

export const TRAIL_SHEET = '审计记录';

export const TRAIL_COLUMNS = [
  ['序号', 6],
  ['时间', 22],
  ['办理人', 14],
  ['登录名', 14],
  ['角色', 16],
  ['步骤', 16],
  ['事件', 16],
  ['原状态', 18],
  ['新状态', 18],
  ['审批意见', 30],
  ['提交内容（JSON）', 40],
  ['哈希', 20],
  ['前一条哈希', 20],
] as const;

/** The download's file name: 审计记录-<业务编号>.<ext>, with characters file systems refuse replaced. */
export function trailFileName(instance: Pick<InstanceView, 'businessKey'>, ext: 'xlsx' | 'json'): string {
  return `${TRAIL_SHEET}-${instance.businessKey.replace(/[\\/:*?"<>|\r\n]/g, '_')}.${ext}`;
}

/** Content-Disposition for a download named in Chinese (RFC 6266 filename*, with an ASCII fallback). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function trailWorkbook(
  presenter: CasePresenter,
  def: ProcessDefinition,
  instance: InstanceView,
  trail: readonly AuditEntryView[],
  nameOf: (id: string) => string,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '工作台';
  const sheet = wb.addWorksheet(TRAIL_SHEET);
  sheet.columns = TRAIL_COLUMNS.map(([header, width]) => ({ header, width }));
  sheet.getRow(1).font = { bold: true };
  for (const e of trail) {
    const event = presenter.eventOf(def, e.eventType);
    const payload = e.payload && typeof e.payload === 'object' && !Array.isArray(e.payload) ? (e.payload as Record<string, unknown>) : {};
    sheet.addRow([
      e.seq,
      presenter.time(e.at),
      e.actor === 'system' ? '系统' : nameOf(e.actor),
      e.actor,
      e.actorRoles.map((r) => def.roles[r]?.title ?? r).join('、'),
      e.fromState === null ? '发起' : (event?.title ?? e.eventType),
      e.eventType,
      e.fromState === null ? '' : presenter.stateTitle(def, e.fromState),
      presenter.stateTitle(def, e.toState),
      event?.opinion && typeof payload.opinion === 'string' ? payload.opinion : '',
      JSON.stringify(e.payload ?? {}),
      e.hash,
      e.prevHash,
    ]);
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  neutraliseWorkbook(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function trailJson(instance: InstanceView, def: ProcessDefinition, trail: readonly AuditEntryView[]): string {
  return JSON.stringify(
    {
      instance: { id: instance.id, businessKey: instance.businessKey, definition: def.key, title: def.title, version: instance.definitionVersion },
      items: trail,
    },
    null,
    2,
  );
}
