/**
 * What a CS center uses every day on top of the generic instance API: the complaint working
 * view (overdue first), a complaint's time line from its audit trail, and the monthly report
 * computed live from the stored complaints (JSON or XLSX). The figures come from the same
 * domain functions the `complaint-monthly-report` process uses.
 */
import { Controller, Get, Inject, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import { complaintRecordFromStored } from '../domain/complaint/complaint-record';
import { complaintTimeline, filterComplaints, sortForWorkingView } from '../domain/complaint/complaint-views';
import { monthlyComplaintReport } from '../domain/complaint/monthly-report';
import { exportMonthlyReportXlsx } from '../domain/complaint/monthly-report.xlsx';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { ENGINE } from './tokens';

const DEFINITION = 'complaint';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

@ApiTags('complaints')
@ApiBearerAuth()
@Controller()
export class ComplaintsController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  /** Reading complaints needs a role in the complaint process (or admin/auditor/process_owner). */
  private async records(actor: Actor) {
    const version = await this.engine.definitions.latest(DEFINITION);
    const def = (await this.engine.definitions.machine(version.id)).definition;
    const platform = ['admin', 'auditor', 'process_owner'];
    if (!actor.roles.some((r) => r in def.roles || platform.includes(r))) {
      throw new AppError(ErrorCode.Forbidden, `you have no role in '${DEFINITION}', so you may not read complaints`);
    }
    return (await this.engine.records.instancesOf(DEFINITION)).map((instance) => complaintRecordFromStored({ instance }));
  }

  @Get('complaints')
  @ApiOperation({ summary: 'Working view: complaints filtered by state, department, category and due date, overdue first' })
  @ApiQuery({ name: 'state', required: false, description: "a state name; 'handling' includes its inner states" })
  @ApiQuery({ name: 'department', required: false }) @ApiQuery({ name: 'category', required: false })
  @ApiQuery({ name: 'dueBefore', required: false, description: 'ISO time' })
  async list(
    @CurrentActor() actor: Actor, @Query('state') state?: string, @Query('department') department?: string,
    @Query('category') category?: string, @Query('dueBefore') dueBefore?: string,
  ) {
    if (dueBefore && Number.isNaN(Date.parse(dueBefore))) throw new AppError(ErrorCode.BadRequest, `dueBefore must be an ISO time, got '${dueBefore}'`);
    const records = filterComplaints({ records: await this.records(actor), state, department, category, dueBefore });
    const now = this.engine.clock.now();
    return {
      items: sortForWorkingView({ records, now }).map(({ record, dueAt, dueProvisional, overdue, overdueByMs }) => ({
        id: record.id, businessKey: record.businessKey, state: record.state, status: record.status,
        receivedAt: record.context.receivedAt, channel: record.context.channel, category: record.context.category,
        department: record.context.department, unit: record.context.unit, dueAt, dueProvisional, overdue, overdueByMinutes: Math.floor(overdueByMs / 60_000),
      })),
    };
  }

  @Get('complaints/:id/timeline')
  @ApiOperation({ summary: "A complaint's time line, in Chinese, from its audit trail" })
  async timeline(@CurrentActor() actor: Actor, @Param('id') id: string) {
    await this.engine.instances.get(id, actor);
    const [stored] = await this.engine.records.instancesOf(DEFINITION, { id });
    if (!stored) throw new AppError(ErrorCode.NotFound, `no complaint '${id}'`);
    const record = complaintRecordFromStored({ instance: stored });
    return { items: complaintTimeline({ record, timeZone: this.engine.calendar.timeZone }) };
  }

  @Get('reports/complaints/:month')
  @ApiOperation({ summary: 'The monthly complaint figures for YYYY-MM, recomputed from the stored complaints; add .xlsx for a workbook' })
  @ApiProduces('application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async report(@CurrentActor() actor: Actor, @Param('month') param: string, @Res({ passthrough: true }) res: Response) {
    const xlsx = param.endsWith('.xlsx');
    const month = xlsx ? param.slice(0, -5) : param;
    if (!MONTH.test(month)) throw new AppError(ErrorCode.BadRequest, `the month must be written YYYY-MM, got '${month}'`);
    const report = monthlyComplaintReport({ month, records: await this.records(actor), calendar: this.engine.calendar, now: this.engine.clock.now() });
    if (!xlsx) return report;
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="complaint-report-${month}.xlsx"`);
    return new StreamableFile(await exportMonthlyReportXlsx({ report }));
  }
}
