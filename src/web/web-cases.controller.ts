/**
 * 我的待办, 发起, 案件: the pages people work in. Every read and write is the engine's, on behalf
 * of the signed-in person (the same services and access policy as the API); forms are generated
 * from the definitions' JSON Schemas (schema-form.ts).
 */
import {
  Body,
  Controller,
  Get,
  Header,
  Inject,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFile,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { localParts, zonedInstant } from '../calendar/zoned-time.util';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { JsonSchema, ProcessDefinition } from '../definitions/definition.types';
import type { InstanceView } from '../engine/instance.types';
import { dueSoonQueue } from './due-soon-queue';
import { Public } from '../http/auth.guard';
import { relatedCases, stepBar } from './case-extras';
import { formFields, payloadFromForm, submittedValues, type FieldError } from './schema-form';
import { ASSIGNMENT_NOTICES, assignmentBlock } from './web-assignments.controller';
import { REMINDER_NOTICE, reminderBlock } from './web-notices.controller';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import { CurrentSession, requireCsrf, WebSessionGuard, type WebSession } from './web-session';

/** Printed documents: no scripts, no remote content, inline styles only (as on GET /documents/:id). */
/** The upload form's hard cap (the configured body limit, at most 50 MB, is checked after). */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

interface StepState {
  readonly type: string;
  readonly values: Record<string, string>;
  readonly errors: readonly FieldError[];
  readonly message?: string;
}

@ApiExcludeController()
@Public()
@UseGuards(WebSessionGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class WebCasesController {
  constructor(@Inject(WebPages) private readonly pages: WebPages) {}

  private get engine() {
    return this.pages.engine;
  }

  private toInstant = (local: string): string | undefined => {
    const [date, time] = local.split('T');
    const [hour, minute] = time.split(':').map(Number);
    try {
      return zonedInstant(date, { hour, minute }, this.engine.calendar.timeZone).toISOString();
    } catch {
      return undefined;
    }
  };

  private async card(instance: InstanceView, actor: Actor, steps?: string) {
    const p = this.pages.presenter;
    const def = await p.definitionOf(instance);
    const deadline = instance.status === 'active' ? await p.nextDeadline(instance, actor) : undefined;
    return {
      href: `/app/cases/${encodeURIComponent(instance.id)}`,
      summary: p.summary(def, instance),
      process: def.title,
      businessKey: instance.businessKey,
      stateTitle: instance.status === 'completed' ? `${p.stateTitle(def, instance.state)}（已结束）` : p.stateTitle(def, instance.state),
      deadline,
      steps,
      when: `更新于 ${p.time(instance.updatedAt)}`,
      updatedAt: instance.updatedAt,
    };
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async home(@CurrentSession() session: WebSession) {
    const { actor } = session;
    const tasks = await this.engine.instances.tasks(actor);
    // --- people as assignees: 待办 = the steps I hold and the unclaimed ones I could take; 待认领 = the unclaimed ones, with 认领.
    const taskCard = async (t: (typeof tasks)[number], claimable: boolean) => ({
      ...(await this.card(t.instance, actor, `可办理：${t.events.map((e) => e.title ?? e.type).join('、')}`)),
      id: t.instance.id,
      ...(t.assignee ? { holder: t.assignee.username === actor.id ? `${t.assignee.name}（我）` : t.assignee.name } : {}),
      claimable,
    });
    const todo = await Promise.all(tasks.filter((t) => !t.assignee || t.assignee.username === actor.id).map((t) => taskCard(t, false)));
    const unclaimed = await Promise.all(tasks.filter((t) => !t.assignee).map((t) => taskCard(t, true)));
    // --- end people as assignees
    // Overdue and nearest deadline first, then the oldest.
    const urgentFirst = (a: { deadline?: { dueAt: string }; updatedAt: string }, b: { deadline?: { dueAt: string }; updatedAt: string }) =>
      (a.deadline?.dueAt ?? '\uffff').localeCompare(b.deadline?.dueAt ?? '\uffff') || a.updatedAt.localeCompare(b.updatedAt);
    todo.sort(urgentFirst);
    unclaimed.sort(urgentFirst);
    const done = await this.engine.instances.list({ actedBy: actor.id, limit: 50 }, actor);
    const mine = await this.engine.instances.list({ createdBy: actor.id, limit: 50 }, actor);
    // --- 抄送我的: copies to me, unread until I open the case.
    const copied = await this.engine.copies.mine(actor, 50);
    const copyNames = await this.pages.presenter.names(copied.items.map((c) => c.from));
    const copies = await Promise.all(
      copied.items.map(async (c) => ({
        ...(await this.card(c.instance, actor)),
        copy: { unread: c.readAt === null, from: c.from === 'system' ? '系统' : copyNames(c.from), message: c.message },
      })),
    );
    // --- end 抄送我的
    const sections = [
      { key: 'todo', title: '待办', count: todo.length, cards: todo, empty: '没有等您办理的事项。' },
      { key: 'claim', title: '待认领', count: unclaimed.length, cards: unclaimed, empty: '没有待认领的事项。' },
      { key: 'done', title: '已办', count: done.total, cards: await Promise.all(done.items.map((i) => this.card(i, actor))), empty: '还没有您办理过的事项。' },
      {
        key: 'mine',
        title: '我发起的',
        count: mine.total,
        cards: await Promise.all(mine.items.map((i) => this.card(i, actor))),
        empty: '还没有您发起的事项。',
      },
      { key: 'cc', title: '抄送我的', count: copied.unread, cards: copies, empty: '没有抄送给您的事项。' },
    ];
    // --- 即将超时: for supervisors (assignment.reassignBy) and admins, cases due soon or overdue, oldest due first.
    const dueSoon = await dueSoonQueue(this.engine, this.pages.presenter, actor);
    if (dueSoon) {
      const cards = await Promise.all(dueSoon.map(async (e) => ({ ...(await this.card(e.instance, actor)), deadline: e.badge, holder: e.holder ?? '未认领' })));
      sections.splice(1, 0, { key: 'due-soon', title: '即将超时', count: cards.length, cards, empty: '没有即将超时或已超时的事项。' });
    }
    // --- end 即将超时
    return this.pages.render('HOME', session, '我的待办', '/app', { sections });
  }

  @Get('new')
  @Header('Cache-Control', 'no-store')
  async startList(@CurrentSession() session: WebSession) {
    const items: { key: string; title: string; description?: string }[] = [];
    for (const v of await this.engine.definitions.list()) {
      const def = (await this.engine.definitions.machine(v.id)).definition;
      if (def.startRoles.some((r) => r !== 'system' && session.actor.roles.includes(r)))
        items.push({ key: def.key, title: def.title, description: def.description });
    }
    return this.pages.render('START_LIST', session, '发起', '/app/new', { items });
  }

  private async startable(key: string, actor: Actor): Promise<ProcessDefinition> {
    const latest = await this.engine.definitions.latest(key);
    const def = (await this.engine.definitions.machine(latest.id)).definition;
    if (!def.startRoles.some((r) => r !== 'system' && actor.roles.includes(r))) {
      throw new AppError(ErrorCode.Forbidden, `starting '${key}' needs one of the roles ${def.startRoles.join(', ')}`, undefined, {
        userMessage: `您的角色不能发起「${def.title}」。`,
      });
    }
    return def;
  }

  private startForm(
    def: ProcessDefinition,
    session: WebSession,
    state: { businessKey: string; values: Record<string, string>; errors: readonly FieldError[]; error?: string; keyError?: string },
  ) {
    const required = ((def.contextSchema as { required?: string[] }).required ?? []) as string[];
    const all = Object.keys((def.contextSchema as { properties?: object }).properties ?? {});
    const fields = formFields(def.contextSchema, { values: state.values, errors: state.errors, only: required, idPrefix: 'c' });
    const more = formFields(def.contextSchema, { values: state.values, errors: state.errors, only: all.filter((n) => !required.includes(n)), idPrefix: 'm' });
    return this.pages.render('START_FORM', session, `发起：${def.title}`, '/app/new', { key: def.key, fields, more, ...state });
  }

  @Get('new/:key')
  @Header('Cache-Control', 'no-store')
  async startPage(@CurrentSession() session: WebSession, @Param('key') key: string) {
    const def = await this.startable(key, session.actor);
    const now = localParts(this.engine.clock.now(), this.engine.calendar.timeZone);
    const pad = (n: number) => String(n).padStart(2, '0');
    const localNow = `${now.year}-${pad(now.month)}-${pad(now.day)}T${pad(now.hour)}:${pad(now.minute)}`;
    const values: Record<string, string> = {};
    for (const [name, s] of Object.entries((def.contextSchema as { properties?: Record<string, { format?: string }> }).properties ?? {})) {
      if (s.format === 'date-time') values[name] = localNow;
    }
    const businessKey = `${def.key}-${localNow.replace(/[-:T]/g, '')}-${this.engine.ids.randomBytes(2).toString('hex')}`;
    return this.startForm(def, session, { businessKey, values, errors: [] });
  }

  @Post('new/:key')
  async start(@CurrentSession() session: WebSession, @Param('key') key: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    requireCsrf(session, body);
    const def = await this.startable(key, session.actor);
    const values = submittedValues(body);
    const businessKey = typeof body.businessKey === 'string' ? body.businessKey.trim() : '';
    const { payload: context, errors } = payloadFromForm(def.contextSchema, values, this.toInstant);
    const again = async (state: { errors?: readonly FieldError[]; error?: string; keyError?: string }) =>
      res
        .status(200)
        .type('html')
        .send(await this.startForm(def, session, { businessKey, values, errors: state.errors ?? [], error: state.error, keyError: state.keyError }));
    if (!businessKey) return again({ keyError: '必填', errors, error: '请补全标出的字段。' });
    if (errors.length > 0) return again({ errors, error: '请修改标出的字段。' });
    try {
      const created = await this.engine.transitions.create({ definition: key, businessKey, context }, session.actor);
      res.redirect(303, `/app/cases/${encodeURIComponent(created.instance.id)}`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === ErrorCode.AlreadyExists) return again({ keyError: err.userMessage });
      const list = Array.isArray(err.details?.errors) ? (err.details.errors as FieldError[]) : [];
      if (err.code === ErrorCode.ContextInvalid || err.code === ErrorCode.PayloadInvalid) return again({ errors: list, error: err.userMessage });
      if (err.code === ErrorCode.Unauthenticated || err.code === ErrorCode.Internal) throw err;
      return again({ error: err.userMessage });
    }
  }

  private async casePage(session: WebSession, id: string, step?: StepState, notice?: string) {
    const { actor } = session;
    const p = this.pages.presenter;
    const instance = await this.engine.instances.get(id, actor);
    const def = await p.definitionOf(instance);
    const available = await this.engine.instances.availableEvents(id, actor);
    // A payload field without a title takes the title of the context field of the same name.
    const labels = p.fieldLabels(def);
    const steps = available.map((e, i) => {
      const mine = step?.type === e.type ? step : undefined;
      return {
        type: e.type,
        title: e.title ?? e.type,
        fields: formFields(e.payloadSchema, { values: mine?.values, errors: mine?.errors, idPrefix: `s${i}`, labels }),
        error: mine?.message,
      };
    });
    const documents = ((await this.engine.cases.documents(id, actor)) as { id: string; title: string | null; template: string; createdAt: string }[]).map(
      (d) => ({
        id: d.id,
        title: d.title ?? d.template,
        at: p.time(d.createdAt),
      }),
    );
    const attachmentRows = (await this.engine.cases.attachments(id, actor)) as {
      id: string;
      name: string;
      size: number;
      uploadedBy: string;
      createdAt: string;
    }[];
    const trail = await this.engine.instances.audit(id, actor);
    const assignees = trail.flatMap((e) =>
      e.eventType.startsWith('$') && e.payload && typeof e.payload === 'object'
        ? Object.values(e.payload).filter((v): v is string => typeof v === 'string')
        : [],
    );
    const nameOf = await p.names([instance.createdBy, ...trail.map((e) => e.actor), ...attachmentRows.map((a) => a.uploadedBy), ...assignees]);
    const attachments = attachmentRows.map((a) => ({
      id: a.id,
      name: a.name,
      size: a.size < 1024 ? `${a.size} 字节` : `${Math.round(a.size / 1024)} KB`,
      by: nameOf(a.uploadedBy),
      at: p.time(a.createdAt),
    }));
    const mayAttach = instance.status === 'active' && (await this.engine.access.mayParticipate(actor, instance));
    return this.pages.render('CASE', session, `${def.title} ${instance.businessKey}`, undefined, {
      instance,
      process: def.title,
      summary: p.summary(def, instance),
      stateTitle: p.stateTitle(def, instance.state),
      completed: instance.status === 'completed',
      createdBy: nameOf(instance.createdBy),
      createdAt: p.time(instance.createdAt),
      steps,
      deadlines: await p.deadlines(instance, def, actor),
      documents,
      attachments,
      mayAttach,
      mayVerify: this.engine.access.has(actor, 'audit.verify'),
      timeline: p.timeline(def, trail, nameOf),
      // Case extras (case-extras.ts): where the case is, and the cases related to it.
      stepBar: stepBar(def, instance, trail),
      related: await relatedCases(this.engine, p, id, actor),
      notice,
      // People as assignees: who holds the step, and the claim / release / transfer / reassign forms.
      assignment: instance.status === 'active' ? await assignmentBlock(this.engine, id, actor) : undefined,
      reminder: instance.status === 'active' ? await reminderBlock(this.engine, id, actor) : undefined,
    });
  }

  @Get('cases/:id')
  @Header('Cache-Control', 'no-store')
  async case(@CurrentSession() session: WebSession, @Param('id') id: string, @Query('done') done?: string) {
    // 抄送: opening the case is the read receipt of the copies to this person.
    await this.engine.copies.markRead(id, session.actor);
    return this.casePage(
      session,
      id,
      undefined,
      done === 'event' ? '已提交。' : done === 'file' ? '附件已上传。' : done === 'remind' ? REMINDER_NOTICE : ASSIGNMENT_NOTICES[done ?? ''],
    );
  }

  @Post('cases/:id/events')
  async send(@CurrentSession() session: WebSession, @Param('id') id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    requireCsrf(session, body);
    const type = typeof body.type === 'string' ? body.type : '';
    const values = submittedValues(body);
    const event = (await this.engine.instances.availableEvents(id, session.actor)).find((e) => e.type === type);
    const again = async (errors: readonly FieldError[], message: string) =>
      res
        .status(200)
        .type('html')
        .send(await this.casePage(session, id, { type, values, errors, message }));
    if (!event) return again([], '这个步骤现在不能办理（案件可能已被他人处理），请查看最新状态。');
    const { payload, errors } = payloadFromForm(event.payloadSchema as JsonSchema, values, this.toInstant);
    if (errors.length > 0) return again(errors, '请修改标出的字段。');
    try {
      await this.engine.transitions.send(id, { type, payload }, session.actor);
      res.redirect(303, `/app/cases/${encodeURIComponent(id)}?done=event`);
    } catch (err) {
      if (!(err instanceof AppError) || err.code === ErrorCode.Internal || err.code === ErrorCode.Unauthenticated) throw err;
      const list = Array.isArray(err.details?.errors) ? (err.details.errors as FieldError[]) : [];
      return again(list, err.userMessage);
    }
  }

  @Post('cases/:id/attachments')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } }))
  async upload(
    @CurrentSession() session: WebSession,
    @Param('id') id: string,
    @UploadedFile() file: { originalname: string; mimetype: string; buffer: Buffer; size: number } | undefined,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ) {
    requireCsrf(session, body);
    if (!file) throw new AppError(ErrorCode.BadRequest, 'no file in the upload form', undefined, { userMessage: '请选择要上传的文件。' });
    if (file.size > this.engine.config.maxBodyBytes) throw new AppError(ErrorCode.PayloadTooLarge, `file larger than ${this.engine.config.maxBodyBytes} bytes`);
    // Browsers send multipart file names as UTF-8 bytes; multer reads them as latin1.
    const name = Buffer.from(file.originalname, 'latin1').toString('utf8');
    await this.engine.cases.addAttachment(
      { instanceId: id, name, contentType: file.mimetype, content: file.buffer, now: this.engine.clock.now() },
      session.actor,
    );
    res.redirect(303, `/app/cases/${encodeURIComponent(id)}?done=file`);
  }

  @Get('attachments/:id')
  async download(@CurrentSession() session: WebSession, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const file = await this.engine.cases.attachment(id, session.actor);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    return new StreamableFile(file.content);
  }

  @Get('documents/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCUMENT_CSP)
  async document(@CurrentSession() session: WebSession, @Param('id') id: string) {
    return (await this.engine.cases.document(id, session.actor)).html;
  }
}
