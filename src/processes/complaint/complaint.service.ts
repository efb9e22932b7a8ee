/**
 * What a CS center reads about complaints every day on top of the generic instance API: the
 * working view (overdue first), one complaint's time line from its audit trail, and the monthly
 * report recomputed from the stored complaints (the same domain functions the
 * `complaint-monthly-report` process uses), as figures or as a workbook.
 *
 * Who may read is the engine's decision (`instances.get`, `instances.assertMayReadDefinition`),
 * never a role list written here. Data comes from the engine's records read side: the working
 * view reads the trails and timers of active complaints only — a finished complaint has no due
 * time, so its current data is enough.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { Actor } from '../../compiler/process-machine.contract';
import { complaintRecordFromStored, type ComplaintRecord } from '../../domain/complaint/complaint-record';
import { complaintTimeline, filterComplaints, sortForWorkingView } from '../../domain/complaint/complaint-views';
import { monthlyComplaintReport, type MonthlyComplaintReport } from '../../domain/complaint/monthly-report';
import { exportMonthlyReportXlsx } from '../../domain/complaint/monthly-report.xlsx';
import type { Engine } from '../../engine/engine';
import { maskFields, redactDeep } from '../../engine/personal-data';

export const COMPLAINT_DEFINITION = 'complaint';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The parts of the engine the service uses: its public API only. */
export type ComplaintEngine = Pick<Engine, 'instances' | 'records' | 'clock' | 'calendar' | 'auth'>;

export interface WorkingViewFilter {
  /** A state name; a compound state (`handling`) includes its inner states. */
  readonly state?: string;
  readonly department?: string;
  readonly category?: string;
  /** ISO time: only complaints whose current deadline is before it. */
  readonly dueBefore?: string;
}

/** One line of the working view. */
export interface WorkingViewLine {
  readonly id: string;
  readonly businessKey: string;
  readonly state: string;
  readonly status: 'active' | 'completed';
  readonly receivedAt: string;
  readonly channel: string;
  readonly category?: string;
  readonly department?: string;
  readonly unit: string;
  readonly dueAt?: string;
  readonly dueProvisional: boolean;
  readonly overdue: boolean;
  readonly overdueByMinutes: number;
}

export class ComplaintService {
  constructor(private readonly engine: ComplaintEngine) {}

  /**
   * Every complaint: active ones with trail and timers (their due time needs them), finished
   * ones as their current data (an empty trail: they have no due time).
   */
  private async records(): Promise<ComplaintRecord[]> {
    const active = await this.engine.records.instancesOf(COMPLAINT_DEFINITION, { status: 'active' });
    const finished = await this.engine.records.instanceSummaries(COMPLAINT_DEFINITION, { status: 'completed' });
    return [
      ...active.map((instance) => complaintRecordFromStored({ instance })),
      ...finished.map((instance) => complaintRecordFromStored({ instance: { ...instance, trail: [], timers: [] } })),
    ];
  }

  /** The working view: complaints matching the filter, overdue first, each with its current due time. */
  async workingView(filter: WorkingViewFilter, actor: Actor): Promise<{ items: WorkingViewLine[] }> {
    if (filter.dueBefore && Number.isNaN(Date.parse(filter.dueBefore))) {
      throw new AppError(ErrorCode.BadRequest, `dueBefore must be an ISO time, got '${filter.dueBefore}'`);
    }
    await this.engine.instances.assertMayReadDefinition(COMPLAINT_DEFINITION, actor);
    const records = filterComplaints({ records: await this.records(), ...filter });
    const now = this.engine.clock.now();
    return {
      items: sortForWorkingView({ records, now }).map(({ record, dueAt, dueProvisional, overdue, overdueByMs }) => ({
        id: record.id,
        businessKey: record.businessKey,
        state: record.state,
        status: record.status,
        receivedAt: record.context.receivedAt,
        channel: record.context.channel,
        category: record.context.category,
        department: record.context.department,
        unit: record.context.unit,
        dueAt,
        dueProvisional,
        overdue,
        overdueByMinutes: Math.floor(overdueByMs / 60_000),
      })),
    };
  }

  /** One complaint's time line in Chinese, from its own audit trail (no other complaint is read). */
  async timeline(id: string, actor: Actor): Promise<{ items: string[] }> {
    await this.engine.instances.get(id, actor);
    const [stored] = await this.engine.records.instancesOf(COMPLAINT_DEFINITION, { id });
    if (!stored) throw new AppError(ErrorCode.NotFound, `no complaint '${id}'`);
    // The complainant's name and contact as the reader may see them (`personal:` in complaint.yaml).
    const masked = await this.engine.instances.personalMaskFor(id, actor);
    const instance = masked
      ? {
          ...stored,
          context: redactDeep(maskFields(stored.context, masked.personal.fields), masked.values) as Record<string, unknown>,
          trail: stored.trail.map((e) => ({ ...e, payload: redactDeep(e.payload, masked.values) })),
        }
      : stored;
    // People appear by their display names (login ids only for users without one).
    const actorNames = await this.engine.auth.displayNames(instance.trail.map((e) => e.actor));
    return { items: complaintTimeline({ record: complaintRecordFromStored({ instance }), actorNames, timeZone: this.engine.calendar.timeZone }) };
  }

  /** The monthly figures for `YYYY-MM`, recomputed from every stored complaint. */
  async monthlyReport(month: string, actor: Actor): Promise<MonthlyComplaintReport> {
    if (!MONTH.test(month)) throw new AppError(ErrorCode.BadRequest, `the month must be written YYYY-MM, got '${month}'`);
    await this.engine.instances.assertMayReadDefinition(COMPLAINT_DEFINITION, actor);
    const records = (await this.engine.records.instancesOf(COMPLAINT_DEFINITION)).map((instance) => complaintRecordFromStored({ instance }));
    return monthlyComplaintReport({ month, records, calendar: this.engine.calendar, now: this.engine.clock.now() });
  }

  /** The monthly report as a workbook. */
  async monthlyReportXlsx(month: string, actor: Actor): Promise<Buffer> {
    return exportMonthlyReportXlsx({ report: await this.monthlyReport(month, actor) });
  }
}
