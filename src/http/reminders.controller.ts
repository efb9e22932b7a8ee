import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { ENGINE } from './tokens';

/** 催办 (`engine/reminder.service.ts`): the starter of a case reminds whoever holds its current step. */
@ApiTags('instances')
@ApiBearerAuth()
@Controller()
export class RemindersController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Post('instances/:id/reminders')
  @ApiOperation({
    summary:
      "Remind the holder of the case's current step (the assignee, else the roles that may act there) in their inbox; audited as `$remind`. " +
      '201; 403 not the starter; 409 completed; 429 one reminder per case per person within `assignment.remindEveryHours` (default 4)',
  })
  @HttpCode(201)
  remind(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.engine.reminders.remind(id, actor);
  }
}
