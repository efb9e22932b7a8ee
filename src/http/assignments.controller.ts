import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { bodyValidator } from './body-validation';
import { ENGINE } from './tokens';

const TO = {
  type: 'object',
  required: ['to'],
  additionalProperties: false,
  properties: { to: { type: 'string', minLength: 1, maxLength: 100, description: 'the login id of the colleague who receives the step' } },
};
const parseTo = bodyValidator<{ to: string }>(TO);

/** Who holds a case's current step (`engine/assignment.service.ts`); each change is an audit entry. */
@ApiTags('instances')
@ApiBearerAuth()
@Controller()
export class AssignmentsController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get('instances/:id/assignment')
  @ApiOperation({ summary: "Who holds the case's current step, and whether the caller may claim, release, transfer or reassign it" })
  get(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.engine.assignments.get(id, actor);
  }

  @Post('instances/:id/assignment/claim')
  @ApiOperation({ summary: 'Claim the current step: 200; 403 the caller may not act on it; 409 someone holds it' })
  @HttpCode(200)
  claim(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.engine.assignments.claim(id, actor);
  }

  @Post('instances/:id/assignment/release')
  @ApiOperation({ summary: 'Release the step the caller holds: 200; 403 the caller does not hold it' })
  @HttpCode(200)
  release(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.engine.assignments.release(id, actor);
  }

  @Post('instances/:id/assignment/transfer')
  @ApiOperation({ summary: 'Hand the step the caller holds to a named colleague who may act on it: 200; 403; 404 no such user' })
  @ApiBody({ schema: TO })
  @HttpCode(200)
  transfer(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown) {
    return this.engine.assignments.transfer(id, parseTo(body).to, actor);
  }

  @Post('instances/:id/assignment/reassign')
  @ApiOperation({ summary: "A supervisor (the definition's assignment.reassignBy) gives the step to a named person: 200; 403; 404 no such user" })
  @ApiBody({ schema: TO })
  @HttpCode(200)
  reassign(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown) {
    return this.engine.assignments.reassign(id, parseTo(body).to, actor);
  }

  @Get('copies')
  @ApiOperation({ summary: '抄送我的: the copies of cases to the caller (cc: actions), newest first, each with its read status' })
  copies(@CurrentActor() actor: Actor) {
    return this.engine.copies.mine(actor);
  }

  @Post('instances/:id/copies/read')
  @ApiOperation({ summary: "The read receipt: marks the caller's unread copies of the case read" })
  @HttpCode(200)
  read(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.engine.copies.markRead(id, actor);
  }
}
