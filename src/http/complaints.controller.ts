/**
 * What a CS center uses every day on top of the generic instance API: the complaint working
 * view (overdue first), a complaint's time line from its audit trail, and the monthly report
 * computed live from the stored complaints (JSON or XLSX). The HTTP surface of
 * `ComplaintService` (src/processes/complaint/), which decides who may read and what is read.
 */
import { Controller, Get, Inject, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../compiler/process-machine.contract';
import { ComplaintService } from '../processes/complaint/complaint.service';
import { CurrentActor } from './auth.guard';

@ApiTags('complaints')
@ApiBearerAuth()
@Controller()
export class ComplaintsController {
  constructor(@Inject(ComplaintService) private readonly complaints: ComplaintService) {}

  @Get('complaints')
  @ApiOperation({ summary: 'Working view: complaints filtered by state, department, category and due date, overdue first' })
  @ApiQuery({ name: 'state', required: false, description: "a state name; 'handling' includes its inner states" })
  @ApiQuery({ name: 'department', required: false })
  @ApiQuery({ name: 'category', required: false })
  @ApiQuery({ name: 'dueBefore', required: false, description: 'ISO time' })
  list(
    @CurrentActor() actor: Actor,
    @Query('state') state?: string,
    @Query('department') department?: string,
    @Query('category') category?: string,
    @Query('dueBefore') dueBefore?: string,
  ) {
    return this.complaints.workingView({ state, department, category, dueBefore }, actor);
  }

  @Get('complaints/:id/timeline')
  @ApiOperation({ summary: "A complaint's time line, in Chinese, from its audit trail" })
  timeline(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.complaints.timeline(id, actor);
  }

  @Get('reports/complaints/:month')
  @ApiOperation({ summary: 'The monthly complaint figures for YYYY-MM, recomputed from the stored complaints; add .xlsx for a workbook' })
  @ApiProduces('application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async report(@CurrentActor() actor: Actor, @Param('month') param: string, @Res({ passthrough: true }) res: Response) {
    if (!param.endsWith('.xlsx')) return this.complaints.monthlyReport(param, actor);
    const month = param.slice(0, -5);
    const workbook = await this.complaints.monthlyReportXlsx(month, actor);
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="complaint-report-${month}.xlsx"`);
    return new StreamableFile(workbook);
  }
}
