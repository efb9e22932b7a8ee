/**
 * 认领 / 释放 / 转交 / 改派 from the 工作台 (people as assignees): the same `AssignmentService`
 * as `POST /instances/{id}/assignment/*`, on behalf of the signed-in person, CSRF-checked.
 */
import { Body, Controller, Inject, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { Public } from '../http/auth.guard';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import { CurrentSession, requireCsrf, WebSessionGuard, type WebSession } from './web-session';

/** The case page's notice after each change (`?done=`). */
export const ASSIGNMENT_NOTICES: Readonly<Record<string, string>> = {
  claim: '已认领，此步骤现由您办理。',
  release: '已释放，此步骤回到待认领。',
  transfer: '已转交。',
  reassign: '已改派。',
};

/** What the case page shows of who holds the step (undefined when the reader has nothing to see or do). */
export async function assignmentBlock(engine: Engine, instanceId: string, actor: Actor) {
  const view = await engine.assignments.get(instanceId, actor);
  if (view.candidateRoles.length === 0) return undefined;
  const roleTitles = await engine.definitions.machine((await engine.instances.get(instanceId, actor)).definitionVersionId);
  const titles = view.candidateRoles.map((r) =>
    Object.prototype.hasOwnProperty.call(roleTitles.definition.roles, r) ? (roleTitles.definition.roles[r].title ?? r) : r,
  );
  return {
    ...view,
    candidates: titles.join('、'),
    colleagues: await engine.assignments.colleagues(instanceId, actor),
  };
}

@ApiExcludeController()
@Public()
@UseGuards(WebSessionGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class WebAssignmentsController {
  constructor(@Inject(WebPages) private readonly pages: WebPages) {}

  @Post('cases/:id/assignment')
  async change(@CurrentSession() session: WebSession, @Param('id') id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    requireCsrf(session, body);
    const { assignments } = this.pages.engine;
    const action = typeof body.action === 'string' ? body.action : '';
    const to = typeof body.to === 'string' ? body.to.trim() : '';
    if ((action === 'transfer' || action === 'reassign') && !to) {
      throw new AppError(ErrorCode.BadRequest, `'${action}' needs the colleague (to)`, undefined, { userMessage: '请选择要交给的同事。' });
    }
    if (action === 'claim') await assignments.claim(id, session.actor);
    else if (action === 'release') await assignments.release(id, session.actor);
    else if (action === 'transfer') await assignments.transfer(id, to, session.actor);
    else if (action === 'reassign') await assignments.reassign(id, to, session.actor);
    else throw new AppError(ErrorCode.BadRequest, `unknown assignment action '${action}'`);
    res.redirect(303, body.next === 'home' ? '/app#todo' : `/app/cases/${encodeURIComponent(id)}?done=${action}`);
  }
}
