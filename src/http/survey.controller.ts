/**
 * The survey round's API (definitions/survey-round.yaml): start a round, upload the roster
 * (CSV or XLSX as the raw body), draw the sample, issue tokens (returned once), enter paper
 * forms, read the roster (masked for roles that need not see owners' contacts) and the F002
 * figures (JSON or XLSX): the HTTP surface of `SurveyRoundService` (src/processes/survey-round/),
 * the only sender of the round's `via: service` events. Plain events (plan approval, freezing,
 * closing, common issues, corrective actions, notice) go through POST /instances/:id/events.
 *
 * The owners' page (/survey/answer/:token) is public: the token is the only key.
 */
import { Body, Controller, Get, Headers, Inject, Param, Post, Put, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import { csvForSpreadsheets } from '../common/export-cells.util';
import type { Actor } from '../compiler/process-machine.contract';
import type { Questionnaire } from '../domain/survey/questionnaire';
import { SurveyRoundService } from '../processes/survey-round/survey-round.service';
import { CurrentActor, Public } from './auth.guard';
import { statusFor } from './app-error.filter';
import { bodyValidator } from './body-validation';

export const ROSTER_CONTENT_TYPES = ['text/csv', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];

const START = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'serviceCenter', 'batch', 'stage'],
  properties: {
    project: { type: 'string', minLength: 1, maxLength: 200 },
    serviceCenter: { type: 'string', minLength: 1, maxLength: 200 },
    batch: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' },
    stage: { type: 'string', minLength: 1, maxLength: 50 },
    businessKey: { type: 'string', minLength: 1, maxLength: 200 },
    /** 003 四.(二): why the round is made (regular, new service item, major failure) and for whom; checked by the definition's context. */
    occasion: { type: 'object' },
  },
};
const PAPER = {
  type: 'object',
  additionalProperties: false,
  required: ['householdId', 'answers'],
  properties: { householdId: { type: 'string', minLength: 1, maxLength: 200 }, answers: { type: 'object' } },
};
const parseStart = bodyValidator<{
  project: string;
  serviceCenter: string;
  batch: string;
  stage: string;
  businessKey?: string;
  occasion?: Record<string, unknown>;
}>(START);
const parsePaper = bodyValidator<{ householdId: string; answers: unknown }>(PAPER);

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>body{font-family:sans-serif;max-width:44rem;margin:1rem auto;padding:0 1rem;line-height:1.6}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3rem;text-align:center}td.item{text-align:left}
textarea{width:100%;min-height:6rem}.err{color:#a00}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

function answerForm(q: Questionnaire, room: string, project: string, token: string): string {
  const levels = q.scale.levels;
  const rows = q.items
    .map(
      (item) =>
        `<tr><td class="item">${esc(item.label)}</td>${levels
          .map((l) => `<td><input type="radio" name="rating.${esc(item.key)}" value="${esc(l.key)}" aria-label="${esc(item.label)} ${esc(l.label)}"></td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  const questions = q.questions
    .map((x) => `<p><label>${esc(x.label)}<br><textarea name="comment.${esc(x.key)}" maxlength="${x.maxLength ?? 500}"></textarea></label></p>`)
    .join('\n');
  return page(
    q.title,
    `<p>${esc(project)} ${esc(room)}</p><p>${esc(q.intro ?? '')}</p>
<form method="post" action="/survey/answer/${encodeURIComponent(token)}">
<table><tr><th>服务项目</th>${levels.map((l) => `<th>${esc(l.label)}</th>`).join('')}</tr>
${rows}</table>
${questions}
<p>不填的项目不计入统计。每户只能提交一次。</p><p><button type="submit">提交</button></p></form>`,
  );
}

/** `rating.order=satisfied&comment.other=…` (the HTML form) → `{ ratings, comments }`; JSON bodies pass through. */
function answersFromBody(body: unknown): unknown {
  if (!body || typeof body !== 'object') return body;
  const b = body as Record<string, unknown>;
  if ('ratings' in b || 'comments' in b) return b;
  const ratings: Record<string, string> = {};
  const comments: Record<string, string> = {};
  for (const [k, v] of Object.entries(b)) {
    if (k.startsWith('rating.')) ratings[k.slice(7)] = String(v);
    else if (k.startsWith('comment.') && String(v).trim() !== '') comments[k.slice(8)] = String(v);
    else return b; // unknown field: let validation name it
  }
  return { ratings, comments };
}

@ApiTags('survey')
@ApiBearerAuth()
@Controller('survey')
export class SurveyController {
  constructor(@Inject(SurveyRoundService) private readonly service: SurveyRoundService) {}

  @Post('rounds')
  @ApiOperation({ summary: 'Start a survey round for a project, batch (YYYY-MM) and stage (rules.stages)' })
  @ApiBody({ schema: START })
  start(@CurrentActor() actor: Actor, @Body() body: unknown) {
    return this.service.start(parseStart(body), actor);
  }

  @Put('rounds/:id/roster')
  @ApiOperation({ summary: 'Upload the full roster (CSV or XLSX body); 422 lists every bad row and column, nothing is stored' })
  @ApiConsumes(...ROSTER_CONTENT_TYPES)
  @ApiQuery({ name: 'fileName', required: false, description: 'name of the file (roster.xlsx / roster.csv); decides nothing but messages' })
  importRoster(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: Request, @Query('fileName') fileName?: string) {
    if (!Buffer.isBuffer(req.body)) {
      throw new AppError(ErrorCode.BadRequest, `send the roster file as the request body with Content-Type ${ROSTER_CONTENT_TYPES.join(', ')}`);
    }
    const isXlsx = (req.headers['content-type'] ?? '').includes('spreadsheetml');
    return this.service.importRoster(id, { fileName: fileName ?? (isXlsx ? 'roster.xlsx' : 'roster.csv'), content: req.body }, actor);
  }

  @Get('rounds/:id/households')
  @ApiOperation({ summary: "The round's roster; owner names and phones masked unless the caller holds a role of rules.fullContactRoles" })
  @ApiQuery({ name: 'sampled', required: false, enum: ['true', 'false'] })
  households(@CurrentActor() actor: Actor, @Param('id') id: string, @Query('sampled') sampled?: string) {
    return this.service.households(id, actor, { sampled: sampled === undefined ? undefined : sampled === 'true' });
  }

  @Post('rounds/:id/sample')
  @ApiOperation({ summary: 'Draw the sample (seed recorded in the audit trail)' })
  drawSample(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.service.drawSample(id, actor);
  }

  @Get('rounds/:id/sample/verify')
  @ApiOperation({ summary: 'Redraw the sample from the stored roster and the audited seed, and compare' })
  verifySample(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.service.verifySample(id, actor);
  }

  @Post('rounds/:id/tokens')
  @ApiOperation({ summary: 'Issue one single-use token per sampled household and open collection; the tokens are shown this once' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiProduces('application/json', 'text/csv')
  async issueTokens(@CurrentActor() actor: Actor, @Param('id') id: string, @Res({ passthrough: true }) res: Response, @Query('format') format?: string) {
    const { round, tokens } = await this.service.issueTokens(id, actor);
    res.status(201);
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="tokens-${encodeURIComponent(round.businessKey)}.csv"`);
      return csvForSpreadsheets([
        ['楼栋', '单元', '房号', '调查码', '网址'],
        ...tokens.map((t) => [t.building, t.unit, t.room, t.token, `/survey/answer/${t.token}`]),
      ]);
    }
    return {
      round: { id: round.id, businessKey: round.businessKey, state: round.state, collectionDeadline: round.context.collectionDeadline },
      issued: tokens.length,
      tokens,
    };
  }

  @Post('rounds/:id/responses')
  @ApiOperation({ summary: 'Enter a paper form for a sampled household (spends its token)' })
  @ApiBody({ schema: PAPER })
  async paper(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown) {
    const { householdId, answers } = parsePaper(body);
    const round = await this.service.enterPaperForm(id, householdId, answers, actor);
    return { id: round.id, state: round.state, returned: round.context.returned };
  }

  @Get('rounds/:id/statistics')
  @ApiOperation({ summary: 'F002 figures (add .xlsx for the workbook); 409 for an invalid or not yet computed round' })
  @ApiProduces('application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async statistics(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return (await this.service.statistics(id, actor)).statistics;
  }

  @Get('rounds/:id/statistics.xlsx')
  async statisticsXlsx(@CurrentActor() actor: Actor, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const buffer = await this.service.statisticsXlsx(id, actor);
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', 'attachment; filename="statistics.xlsx"');
    return new StreamableFile(buffer);
  }

  @Public()
  @Get('answer/:token')
  @ApiOperation({ summary: "Owners' page: the questionnaire as an HTML form (no login; the token is the key)" })
  async answerPage(@Param('token') token: string, @Res() res: Response) {
    try {
      const form = await this.service.tokenForm(token);
      res
        .status(200)
        .type('html')
        .send(answerForm(form.questionnaire, form.room, String(form.round.context.project), token));
    } catch (err) {
      this.htmlError(res, err);
    }
  }

  @Public()
  @Post('answer/:token')
  @ApiOperation({ summary: "Owners' answers (the HTML form, or JSON {ratings, comments}); a token works once, only while collection is open" })
  async answer(@Param('token') token: string, @Body() body: unknown, @Headers('content-type') contentType: string | undefined, @Res() res: Response) {
    const html = (contentType ?? '').includes('application/x-www-form-urlencoded');
    try {
      await this.service.answerOnline(token, answersFromBody(body));
      if (html) res.status(200).type('html').send(page('提交成功', '<p>感谢您的宝贵意见！您的问卷已提交。</p>'));
      else res.status(201).json({ ok: true, message: '感谢您的宝贵意见！您的问卷已提交。' });
    } catch (err) {
      if (html) this.htmlError(res, err);
      else throw err;
    }
  }

  /** The owner's page says what went wrong in the message for people; the developer's English stays in the JSON API and the logs. */
  private htmlError(res: Response, err: unknown): void {
    if (!(err instanceof AppError)) throw err;
    res
      .status(statusFor(err.code))
      .type('html')
      .send(page('无法提交问卷', `<p class="err">${esc(err.userMessage)}</p>`));
  }
}
