/**
 * 审计 and 流程定义 pages: case search (the reader's readable cases only, as GET /instances),
 * chain verification (`audit.verify`), definitions and versions, and the YAML editor, which
 * checks with the validate endpoint's logic (`DefinitionRegistry.validate`) and uploads with
 * `definitions.upload`.
 */
import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Req, Res, StreamableFile, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { addLocalDays, zonedInstant } from '../calendar/zoned-time.util';
import { AppError, ErrorCode } from '../common/app-error';
import type { DefinitionProblem } from '../definitions/definition.types';
import { DefinitionLoadError } from '../engine/definition-registry';
import { Public } from '../http/auth.guard';
import { attachmentHeader, trailFileName, trailJson, trailWorkbook } from './audit-export';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import { CurrentSession, requireCsrf, sameToken, WebSessionGuard, type WebSession } from './web-session';

const SKELETON = `key: my-process
title: 新流程
roles:
  clerk: { title: 办理人 }
start:
  roles: [clerk]
context:
  type: object
  properties: {}
initial: open
states:
  open:
    title: 办理中
    on:
      finish:
        title: 办结
        roles: [clerk]
        target: done
  done:
    title: 已办结
    type: final
`;

/** A real calendar date written YYYY-MM-DD. */
function isLocalDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

/** The file name used in error positions (as the API's `?file=`). */
function fileName(value: unknown): string {
  const name = (typeof value === 'string' ? value : '').replace(/[^\w.-]/g, '_').slice(0, 200);
  return name || 'upload.yaml';
}

/** The source as numbered lines, each with the errors positioned on it. */
export function numberedLines(source: string, errors: readonly DefinitionProblem[]) {
  return source.split('\n').map((text, i) => ({
    no: i + 1,
    text,
    errors: errors.filter((e) => e.line === i + 1).map((e) => ({ column: e.column, message: e.message })),
  }));
}

@ApiExcludeController()
@Public()
@UseGuards(WebSessionGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class WebAdminController {
  constructor(@Inject(WebPages) private readonly pages: WebPages) {}

  private get engine() {
    return this.pages.engine;
  }

  @Get('audit')
  @Header('Cache-Control', 'no-store')
  async audit(
    @CurrentSession() session: WebSession,
    @Query('definition') definition?: string,
    @Query('businessKey') businessKey?: string,
    @Query('status') status?: string,
    @Query('state') state?: string,
    @Query('actor') actedBy?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ) {
    const p = this.pages.presenter;
    const filter = {
      definition: definition || undefined,
      businessKey: businessKey?.trim() || undefined,
      status: status || undefined,
      state: (definition && state) || undefined,
      actedBy: actedBy?.trim() || undefined,
      from: from?.trim() || undefined,
      to: to?.trim() || undefined,
    };
    // 发起日期 from/to are local dates (the calendar's time zone), both days included.
    const dateError = [filter.from, filter.to].some((d) => d !== undefined && !isLocalDate(d))
      ? '日期请按“年-月-日”填写，例如 2026-03-02。'
      : filter.from && filter.to && filter.from > filter.to
        ? '起始日期不能晚于截止日期。'
        : undefined;
    const tz = this.engine.calendar.timeZone;
    const range = dateError
      ? {}
      : {
          createdFrom: filter.from ? zonedInstant(filter.from, { hour: 0, minute: 0 }, tz).toISOString() : undefined,
          createdBefore: filter.to ? zonedInstant(addLocalDays(filter.to, 1), { hour: 0, minute: 0 }, tz).toISOString() : undefined,
        };
    // The states of the chosen process, by their titles, to search by.
    const states = definition
      ? Object.values((await this.engine.definitions.machine((await this.engine.definitions.latest(definition)).id)).definition.states).map((st) => ({
          name: st.name,
          title: st.title ?? st.name,
          selected: st.name === filter.state,
        }))
      : [];
    const { from: _from, to: _to, ...query } = filter;
    const page = dateError ? { items: [], total: 0 } : await this.engine.instances.list({ ...query, ...range, limit: 100 }, session.actor);
    const items = await Promise.all(
      page.items.map(async (i) => {
        const def = await p.definitionOf(i);
        return {
          id: i.id,
          summary: p.summary(def, i),
          process: def.title,
          businessKey: i.businessKey,
          stateTitle: p.stateTitle(def, i.state),
          createdAt: p.time(i.createdAt),
        };
      }),
    );
    const definitions = (await this.engine.definitions.list()).map((d) => ({ key: d.key, title: d.title, selected: d.key === definition }));
    return this.pages.render('AUDIT', session, '审计', '/app/audit', {
      filter,
      states,
      definitions,
      items,
      total: page.total,
      dateError,
      mayVerify: this.engine.access.has(session.actor, 'audit.verify'),
    });
  }

  /** A case's audit trail as XLSX or JSON, to whoever may read the case (as GET /instances/:id/audit, masked alike). */
  @Get('audit/cases/:id/trail.:ext')
  @Header('Cache-Control', 'no-store')
  async trail(@CurrentSession() session: WebSession, @Param('id') id: string, @Param('ext') ext: string, @Res({ passthrough: true }) res: Response) {
    if (ext !== 'xlsx' && ext !== 'json') throw new AppError(ErrorCode.NotFound, `no export '${ext}'`, undefined, { userMessage: '只能导出 XLSX 或 JSON。' });
    const p = this.pages.presenter;
    const instance = await this.engine.instances.get(id, session.actor);
    const trail = await this.engine.instances.audit(id, session.actor);
    const def = await p.definitionOf(instance);
    res.setHeader('Content-Disposition', attachmentHeader(trailFileName(instance, ext)));
    if (ext === 'json') {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      return new StreamableFile(Buffer.from(trailJson(instance, def, trail), 'utf8'));
    }
    const nameOf = await p.names(trail.map((e) => e.actor));
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    return new StreamableFile(await trailWorkbook(p, def, instance, trail, nameOf));
  }

  @Get('audit/verify')
  @Header('Cache-Control', 'no-store')
  async verify(@CurrentSession() session: WebSession, @Query('instanceId') instanceId?: string) {
    this.engine.access.require(session.actor, 'audit.verify', 'verifying the audit trail');
    const report = await this.engine.auditVerifier.verify({ instanceId: instanceId || undefined });
    const label = async (id: string) => {
      try {
        return (await this.engine.instances.get(id, session.actor)).businessKey;
      } catch {
        return id;
      }
    };
    const first = report.firstBroken ? { ...report.firstBroken, label: await label(report.firstBroken.instanceId) } : undefined;
    const broken = await Promise.all(report.broken.slice(1).map(async (b) => ({ ...b, label: await label(b.instanceId) })));
    return this.pages.render('VERIFY', session, instanceId ? '核验审计链（一个案件）' : '核验全部审计链', '/app/audit', { report, first, broken });
  }

  @Get('definitions')
  @Header('Cache-Control', 'no-store')
  async definitions(@CurrentSession() session: WebSession) {
    const p = this.pages.presenter;
    const items = (await this.engine.definitions.list()).map((d) => ({
      key: d.key,
      title: d.title,
      version: d.version,
      at: p.time(d.createdAt),
      by: d.createdBy,
    }));
    return this.pages.render('DEFINITIONS', session, '流程定义', '/app/definitions', {
      items,
      mayUpload: this.engine.access.has(session.actor, 'definitions.upload'),
    });
  }

  @Get('definitions/editor')
  @Header('Cache-Control', 'no-store')
  async editor(@CurrentSession() session: WebSession, @Query('from') from?: string) {
    let source = SKELETON;
    let file = 'upload.yaml';
    if (from) {
      const latest = await this.engine.definitions.latest(from);
      source = await this.engine.definitions.source(latest.id);
      file = latest.file;
    }
    return this.pages.render('EDITOR', session, '编辑流程定义', '/app/definitions', { source, file: fileName(file), errors: [], findings: [], lines: [] });
  }

  @Post('definitions/editor')
  async editorPost(@CurrentSession() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    requireCsrf(session, body);
    const source = typeof body.source === 'string' ? body.source.replace(/\r\n/g, '\n') : '';
    const file = fileName(body.file);
    const show = async (data: { errors?: readonly DefinitionProblem[]; findings?: readonly DefinitionProblem[]; notice?: string; error?: string }) =>
      res
        .status(200)
        .type('html')
        .send(
          await this.pages.render('EDITOR', session, '编辑流程定义', '/app/definitions', {
            source,
            file,
            errors: data.errors ?? [],
            findings: data.findings ?? [],
            lines: numberedLines(source, data.errors ?? []),
            notice: data.notice,
            error: data.error,
          }),
        );
    if (!source.trim()) return show({ error: '请粘贴或输入流程定义（YAML）。' });
    if (body.action === 'upload') {
      this.engine.access.require(session.actor, 'definitions.upload', 'uploading a definition');
      try {
        const v = await this.engine.definitions.register(source, file, session.actor.id);
        if (v.created) await this.engine.worker.schedules.sync();
        return show({
          findings: v.findings,
          notice: v.created
            ? `已上传「${v.title}」第 ${v.version} 版；进行中的案件仍按原来的版本办理。`
            : `这段文本与「${v.title}」第 ${v.version} 版相同，未新建版本。`,
        });
      } catch (err) {
        if (err instanceof DefinitionLoadError) return show({ errors: err.errors, error: `有 ${err.errors.length} 处错误，没有上传。` });
        throw err;
      }
    }
    const result = this.engine.definitions.validate(source, file);
    if (!result.ok) return show({ errors: result.errors, error: `有 ${result.errors.length} 处错误。` });
    return show({ findings: result.findings, notice: `没有错误：「${result.definition.title}」可以上传。` });
  }

  /** The live check of the editor's script: JSON in, `{ ok, errors }` out; the CSRF token in `X-CSRF-Token`. */
  @Post('definitions/validate')
  @HttpCode(200)
  validate(@CurrentSession() session: WebSession, @Req() req: Request, @Body() body: Record<string, unknown>) {
    if (!sameToken(req.headers['x-csrf-token'], session.csrf)) requireCsrf(session, body);
    const source = typeof body?.source === 'string' ? body.source : '';
    if (!source.trim()) throw new AppError(ErrorCode.BadRequest, 'empty source', undefined, { userMessage: '请输入流程定义。' });
    const result = this.engine.definitions.validate(source, 'editor.yaml');
    return result.ok ? { ok: true, findings: result.findings } : { ok: false, errors: result.errors };
  }

  @Get('definitions/:key')
  @Header('Cache-Control', 'no-store')
  async definition(@CurrentSession() session: WebSession, @Param('key') key: string) {
    const p = this.pages.presenter;
    const latest = await this.engine.definitions.latest(key);
    const versions = (await this.engine.definitions.versions(key)).map((v) => ({
      version: v.version,
      at: p.time(v.createdAt),
      by: v.createdBy,
      hash: v.hash.slice(0, 12),
    }));
    const source = await this.engine.definitions.source(latest.id);
    const check = this.engine.definitions.validate(source, latest.file);
    return this.pages.render('DEFINITION', session, latest.title, '/app/definitions', {
      key,
      latest: latest.version,
      versions,
      source,
      findings: check.ok ? check.findings : [],
      mayUpload: this.engine.access.has(session.actor, 'definitions.upload'),
    });
  }
}
