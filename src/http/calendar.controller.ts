import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { ENGINE } from './tokens';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar')
export class CalendarController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get()
  @ApiOperation({
    summary:
      'The business calendar: time zone, years with official holiday data, where the provisional rule starts, the warning for staff when official data ends within WF_CALENDAR_WARN_DAYS, the last revision (signed in)',
  })
  status() {
    return this.engine.calendarSync.status();
  }

  @Get('revisions')
  @ApiOperation({ summary: 'Every change of the calendar data the engine applied: when, by whom, why, how many deadlines it recomputed (auditors, admins)' })
  @ApiQuery({ name: 'limit', required: false })
  async revisions(@CurrentActor() actor: Actor, @Query('limit') limit?: string) {
    this.engine.access.require(actor, 'calendar.revisions', 'reading the calendar revisions');
    return { items: await this.engine.calendarSync.revisions(limit ? Number(limit) || 50 : 50) };
  }

  @Post('reload')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Read the calendar file again (e.g. after `wf calendar import`), apply it without a restart and recompute pending deadlines, each change audited on its instance (admins)',
  })
  async reload(@CurrentActor() actor: Actor) {
    this.engine.access.require(actor, 'calendar.reload', 'reloading the business calendar');
    return this.engine.calendarSync.reload(actor.id, 'api');
  }
}
