/**
 * 通知 in the 工作台: the signed-in person's inbox (the same `CaseRecordsService.inbox` as
 * `GET /inbox`, with its access rules) and the notice board (`GET /notices`), newest first; and
 * 催办 from a case page (the same `ReminderService` as `POST /instances/{id}/reminders`), CSRF-checked.
 */
import { Body, Controller, Get, Header, Inject, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { Public } from '../http/auth.guard';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import { CurrentSession, requireCsrf, WebSessionGuard, type WebSession } from './web-session';

/** The case page's notice after a reminder (`?done=remind`). */
export const REMINDER_NOTICE = '已催办，办理人会在“通知”中看到。';

/** What the case page shows of 催办 (undefined unless the reader started the case and it has someone to remind). */
export function reminderBlock(engine: Engine, instanceId: string, actor: Actor) {
  return engine.reminders.status(instanceId, actor);
}

@ApiExcludeController()
@Public()
@UseGuards(WebSessionGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class WebNoticesController {
  constructor(@Inject(WebPages) private readonly pages: WebPages) {}

  @Get('notices')
  @Header('Cache-Control', 'no-store')
  async notices(@CurrentSession() session: WebSession) {
    const { engine, presenter: p } = this.pages;
    const byId = new Map<string, { title: string; businessKey: string }>();
    const caseOf = async (instanceId: string) => {
      if (!byId.has(instanceId)) {
        const instance = await engine.instances.byId(instanceId);
        const def = await p.definitionOf(instance);
        byId.set(instanceId, { title: def.title, businessKey: instance.businessKey });
      }
      return byId.get(instanceId)!;
    };
    const inbox = [];
    for (const item of await engine.cases.inbox(session.actor)) {
      const instanceId = String(item.instanceId);
      inbox.push({ instanceId, message: String(item.message ?? ''), at: p.time(String(item.createdAt)), case: await caseOf(instanceId) });
    }
    const board = ((await engine.records.notices()) as Record<string, unknown>[]).map((n) => ({
      documentId: String(n.documentId),
      title: String(n.title),
      at: p.time(String(n.postedAt)),
    }));
    return this.pages.render('NOTICES', session, '通知', '/app/notices', { inbox, board });
  }

  @Post('cases/:id/reminders')
  async remind(@CurrentSession() session: WebSession, @Param('id') id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    requireCsrf(session, body);
    await this.pages.engine.reminders.remind(id, session.actor);
    res.redirect(303, `/app/cases/${encodeURIComponent(id)}?done=remind`);
  }
}
