import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { bodyValidator } from './body-validation';
import { ENGINE } from './tokens';

/** Content types accepted for uploaded files (besides the roster types, which include octet-stream). */
export const ATTACHMENT_CONTENT_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/plain',
];

/** Rendered documents are shown as-is: no scripts, no remote content, inline styles only. */
export const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const PREVIEW = {
  type: 'object',
  required: ['context'],
  additionalProperties: false,
  properties: { context: { type: 'object' } },
};
const parsePreview = bodyValidator<{ context: Record<string, unknown> }>(PREVIEW);

@ApiTags('documents and notices')
@ApiBearerAuth()
@Controller()
export class RecordsController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get('instances/:id/documents')
  @ApiOperation({ summary: 'Documents rendered by an instance, with template and template hash, in audit order' })
  async documents(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.cases.documents(id, actor) };
  }

  @Get('documents/:id')
  @ApiOperation({ summary: 'One rendered document as printable HTML (A4)' })
  @ApiProduces('text/html')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCUMENT_CSP)
  async document(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return (await this.engine.cases.document(id, actor)).html;
  }

  @Post('instances/:id/attachments')
  @ApiOperation({ summary: 'Upload a file to an instance (raw body; ?name=). Cite its sha256 in the event that uses it, so the audit pins the file' })
  @ApiQuery({ name: 'name', required: true })
  async upload(@CurrentActor() actor: Actor, @Param('id') id: string, @Query('name') name: string | undefined, @Req() req: Request) {
    return this.engine.cases.addAttachment(
      {
        instanceId: id,
        name: name ?? '',
        contentType: String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0],
        content: req.body as unknown,
        now: this.engine.clock.now(),
      },
      actor,
    );
  }

  @Get('instances/:id/attachments')
  @ApiOperation({ summary: 'Files uploaded to an instance (name, type, size, SHA-256, who, when)' })
  async attachments(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.cases.attachments(id, actor) };
  }

  @Get('attachments/:id')
  @ApiOperation({ summary: 'Download an uploaded file' })
  async download(@CurrentActor() actor: Actor, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const file = await this.engine.cases.attachment(id, actor);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(file.content);
  }

  @Get('instances/:id/timers')
  @ApiOperation({ summary: 'Deadlines armed by an instance: pending, fired, cancelled or failed' })
  async timers(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.cases.timers(id, actor) };
  }

  @Get('instances/:id/outbox')
  @ApiOperation({ summary: 'Effects of an instance queued for delivery, with delivery status, attempts and last error' })
  async instanceOutbox(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.cases.outbox(id, actor) };
  }

  @Get('outbox')
  @ApiOperation({ summary: 'All outbox messages, newest first, by status (admins, auditors)' })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'delivered', 'failed'] })
  async outbox(@CurrentActor() actor: Actor, @Query('status') status?: string) {
    return { items: await this.engine.cases.allOutbox(actor, { status }) };
  }

  @Get('tasks')
  @ApiOperation({
    summary:
      "The caller's work list: active instances awaiting an event one of the caller's roles may send, oldest first (approvers: requests awaiting their decision)",
  })
  @ApiQuery({ name: 'definition', required: false })
  async tasks(@CurrentActor() actor: Actor, @Query('definition') definition?: string) {
    return { items: await this.engine.instances.tasks(actor, { definition }) };
  }

  @Get('inbox')
  @ApiOperation({
    summary: "Notifications addressed to the caller's roles, newest first, of the cases the caller may read (personal data masked as on the case)",
  })
  async inbox(@CurrentActor() actor: Actor) {
    return { items: await this.engine.cases.inbox(actor) };
  }

  @Get('notices')
  @ApiOperation({ summary: 'The notice board: posted notices, newest first (fetch each as /documents/:documentId)' })
  async notices() {
    return { items: await this.engine.records.notices() };
  }

  @Get('templates')
  @ApiOperation({ summary: 'Template names' })
  templates() {
    return { items: this.engine.templates.names() };
  }

  @Post('templates/:name/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Render a template with a given context without storing anything' })
  @ApiBody({ schema: PREVIEW })
  @ApiProduces('text/html')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCUMENT_CSP)
  preview(@Param('name') name: string, @Body() body: unknown) {
    const { context } = parsePreview(body);
    return this.engine.templates.preview(name, { renderedAt: this.engine.clock.now().toISOString(), ...context }).html;
  }
}
