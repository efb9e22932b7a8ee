/**
 * 满意度调研 pages: the rounds by project, batch and stage, and a round's dashboard — roster import
 * (upload form), the sample, tokens to print (shown once), returns against the validity
 * threshold over time, per-item satisfaction as a chart compared with the previous round of the
 * same project and stage, the analysis report and open letter, corrective actions. Every read
 * and write is `SurveyRoundService`'s (as /survey/rounds/…) or the engine's; the buttons shown
 * are the events the round's machine accepts now from the person's roles, the service decides.
 */
import { Body, Controller, Get, Header, Inject, Param, Post, Query, Req, Res, UploadedFile, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import type { InstanceView } from '../engine/instance.types';
import type { RoundAnalysis } from '../domain/survey/analysis';
import type { SurveyStatistics } from '../domain/survey/statistics';
import { ROUND_EVENTS } from '../domain/survey/round-trail';
import { Public } from '../http/auth.guard';
import { ROUND_DEFINITION, SurveyRoundService } from '../processes/survey-round/survey-round.service';
import { chartJson } from './web-charts';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import { CurrentSession, requireCsrf, WebSessionGuard, type WebSession } from './web-session';

const CORRECTIVE_ACTION = 'corrective-action';
const DRAW_SAMPLE = 'drawSample';
const MAX_ROSTER_BYTES = 50 * 1024 * 1024;

const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Distinct non-empty values, sorted, with the selected one marked. */
function options(values: readonly string[], selected: string | undefined) {
  return [...new Set(values.filter(Boolean))].sort().map((value) => ({ value, selected: value === selected }));
}

/** The page title of a round: 调研批次 2026-03 · 稳定期. */
const roundTitle = (r: { batch: string; stage: string }) => `调研批次 ${r.batch} · ${r.stage}`;

interface RowError {
  readonly row: number;
  readonly column: string;
  readonly value: string;
  readonly userMessage?: string;
  readonly message: string;
}

@ApiExcludeController()
@Public()
@UseGuards(WebSessionGuard)
@UseFilters(WebErrorFilter)
@Controller('app/surveys')
export class WebSurveyController {
  constructor(
    @Inject(WebPages) private readonly pages: WebPages,
    @Inject(SurveyRoundService) private readonly service: SurveyRoundService,
  ) {}

  private get engine() {
    return this.pages.engine;
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async list(@CurrentSession() session: WebSession, @Query('project') project?: string, @Query('batch') batch?: string, @Query('stage') stage?: string) {
    const p = this.pages.presenter;
    const rounds = (await this.engine.instances.list({ definition: ROUND_DEFINITION, limit: 200 }, session.actor)).items;
    const shown = rounds
      .filter((r) => (!project || r.context.project === project) && (!batch || r.context.batch === batch) && (!stage || r.context.stage === stage))
      .sort((a, b) => text(a.context.project).localeCompare(text(b.context.project)) || text(b.context.batch).localeCompare(text(a.context.batch)));
    const projectGroups: { project: string; rounds: unknown[] }[] = [];
    for (const r of shown) {
      const def = await p.definitionOf(r);
      const name = text(r.context.project);
      let g = projectGroups.find((x) => x.project === name);
      if (!g) projectGroups.push((g = { project: name, rounds: [] }));
      g.rounds.push({
        id: r.id,
        businessKey: r.businessKey,
        batch: text(r.context.batch),
        stage: text(r.context.stage),
        stateTitle: p.stateTitle(def, r.state),
        returnedText: r.context.issued ? `回收 ${text(r.context.returned ?? 0)} / ${text(r.context.issued)}` : '',
      });
    }
    return this.pages.render('SURVEY_ROUNDS', session, '满意度调研', '/app/surveys', {
      projectGroups,
      projects: options(
        rounds.map((r) => text(r.context.project)),
        project,
      ),
      batches: options(
        rounds.map((r) => text(r.context.batch)),
        batch,
      ).reverse(),
      stages: options(
        rounds.map((r) => text(r.context.stage)),
        stage,
      ),
    });
  }

  @Get(':id')
  @Header('Cache-Control', 'no-store')
  async dashboard(@CurrentSession() session: WebSession, @Param('id') id: string, @Query('done') done?: string) {
    const notice = done === 'roster' ? '名单已导入。' : done === 'sample' ? '已抽样，抽样种子已记入审计。' : undefined;
    const data = await this.dashboardData(session, id, { notice });
    return this.pages.render('SURVEY_ROUND', session, roundTitle(data.round), '/app/surveys', data);
  }

  private async dashboardData(session: WebSession, id: string, extra: { notice?: string; error?: string; rowErrors?: string[] }) {
    const actor = session.actor;
    const p = this.pages.presenter;
    const round = await this.service.round(id, actor);
    const machine = await this.engine.definitions.machine(round.definitionVersionId);
    const def = machine.definition;
    const c = round.context;
    // The service's events this person may send now (the machine's, from the person's roles).
    const serviceEvents = new Set(
      round.status === 'active'
        ? machine
            .acceptedEvents(round.state)
            .filter(({ event }) => event.via === 'service' && event.roles.some((r) => actor.roles.includes(r)))
            .map(({ event }) => event.type)
        : [],
    );
    const sample = c.sample as { eligible: number; required: number; size: number; fromFresh: number; fromPrevious: number } | undefined;
    const sampledRows = sample ? await this.service.households(id, actor, { sampled: true }) : undefined;
    return {
      ...extra,
      id,
      businessKey: round.businessKey,
      round: { project: text(c.project), batch: text(c.batch), stage: text(c.stage) },
      stateTitle: p.stateTitle(def, round.state),
      roster: c.roster,
      frozen: !!c.rosterFrozenAt,
      mayImport: serviceEvents.has(ROUND_EVENTS.importRoster),
      mayDraw: serviceEvents.has(DRAW_SAMPLE),
      mayIssue: serviceEvents.has(ROUND_EVENTS.issueTokens),
      sample,
      sampled: sampledRows?.items ?? [],
      masked: sampledRows?.masked ?? false,
      ...(await this.progress(round, Number(def.ruleValues.validityThreshold))),
      ...(await this.satisfaction(round, actor)),
      documents: ((await this.engine.cases.documents(id, actor)) as { id: string; title: string | null; template: string; createdAt: string }[]).map((d) => ({
        id: d.id,
        title: d.title ?? d.template,
        at: p.time(d.createdAt),
      })),
      actions: await this.correctiveActions(session, id),
    };
  }

  /** Returns against the validity threshold (rules.validityThreshold), and their course by day. */
  private async progress(round: InstanceView, threshold: number) {
    const issued = Number(round.context.issued ?? 0);
    if (!issued) return { progress: undefined };
    const responses = await this.service.store.responses(round.id);
    const returned = Number(round.context.returned ?? responses.length);
    // The fewest returns whose rate exceeds the threshold, compared as the definition compares (responseRate > threshold).
    let needed = Math.floor(issued * threshold) + 1;
    while (needed > 1 && (needed - 1) / issued > threshold) needed--;
    while (needed <= issued && needed / issued <= threshold) needed++;
    const tz = this.engine.calendar.timeZone;
    const day = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
    const byDay = new Map<string, number>();
    for (const r of [...responses].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt)))
      byDay.set(day(r.receivedAt), (byDay.get(day(r.receivedAt)) ?? 0) + 1);
    let sum = 0;
    const days = [...byDay.entries()].map(([d, n]) => ({ day: d, rate: (sum += n) / issued }));
    return {
      progress: {
        issued,
        returned,
        online: responses.filter((r) => r.channel === 'online').length,
        paper: responses.filter((r) => r.channel === 'paper').length,
        rateText: percent(returned / issued),
        thresholdText: percent(threshold),
        needed,
        valid: returned >= needed,
        missing: Math.max(0, needed - returned),
        percent: Math.min(100, (returned / issued) * 100).toFixed(1),
        thresholdPercent: (threshold * 100).toFixed(1),
        collectionDeadline: round.context.collectionDeadline ? this.pages.presenter.time(round.context.collectionDeadline) : undefined,
      },
      returnsChart: days.length
        ? chartJson({
            type: 'line',
            percent: true,
            categories: days.map((d) => d.day),
            series: [
              { name: '累计回收率', data: days.map((d) => d.rate) },
              { name: '有效门槛', data: days.map(() => threshold) },
            ],
          })
        : undefined,
    };
  }

  /** Per-item satisfaction of the round and of the previous round of the same project and stage (analysis.previousRound). */
  private async satisfaction(round: InstanceView, actor: WebSession['actor']) {
    const statistics = round.context.statistics as SurveyStatistics | undefined;
    if (!statistics)
      return {
        items: [],
        statisticsNote:
          round.context.validity && !(round.context.validity as { valid: boolean }).valid
            ? '回收率未达到有效条件，本批次没有正式统计数据。'
            : '有效回收结束并汇总后显示各项满意度。',
      };
    const analysis = round.context.analysis as (RoundAnalysis & { previousRound?: { businessKey: string; batch: string } | null }) | undefined;
    const previousRound = analysis?.previousRound ?? undefined;
    let previous: SurveyStatistics | undefined;
    if (previousRound) {
      const prev = (await this.engine.instances.list({ definition: ROUND_DEFINITION, businessKey: previousRound.businessKey, limit: 1 }, actor)).items[0];
      previous = prev?.context.statistics as SurveyStatistics | undefined;
    }
    const prevOf = (key: string) => previous?.items.find((i) => i.key === key)?.satisfaction ?? null;
    const items = statistics.items.map((i) => {
      const before = prevOf(i.key);
      return {
        key: i.key,
        label: i.label,
        value: i.satisfaction,
        current: percent(i.satisfaction),
        previous: percent(before),
        change:
          before === null || i.satisfaction === null ? '—' : `${i.satisfaction >= before ? '+' : ''}${((i.satisfaction - before) * 100).toFixed(1)} 个百分点`,
      };
    });
    return {
      items,
      overall: percent(statistics.overallSatisfaction),
      previousOverall: previous ? percent(previous.overallSatisfaction) : undefined,
      previousRound,
      itemsChart: chartJson({
        type: 'bar',
        horizontal: true,
        percent: true,
        categories: items.map((i) => i.label),
        series: [
          { name: '本次', data: items.map((i) => i.value) },
          ...(previous ? [{ name: `上次（${previousRound?.batch}）`, data: items.map((i) => prevOf(i.key)) }] : []),
        ],
      }),
    };
  }

  private async correctiveActions(session: WebSession, roundId: string) {
    const p = this.pages.presenter;
    let children: InstanceView[] = [];
    try {
      children = (await this.engine.instances.list({ definition: CORRECTIVE_ACTION, limit: 200 }, session.actor)).items.filter((i) => i.parentId === roundId);
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.Forbidden) return [];
      throw err;
    }
    return Promise.all(
      children.map(async (i) => ({
        id: i.id,
        issue: text((i.context.issue as { title?: string } | undefined)?.title) || i.businessKey,
        measures: text(i.context.measures),
        responsiblePerson: text(i.context.responsiblePerson),
        department: text(i.context.department),
        deadline: text(i.context.deadline),
        escalated: !!i.context.escalatedAt,
        stateTitle: p.stateTitle(await p.definitionOf(i), i.state),
      })),
    );
  }

  @Post(':id/roster')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_ROSTER_BYTES, files: 1, fields: 5 } }))
  async roster(
    @CurrentSession() session: WebSession,
    @Param('id') id: string,
    @UploadedFile() file: { originalname: string; buffer: Buffer; size: number } | undefined,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ) {
    requireCsrf(session, body);
    if (!file) throw new AppError(ErrorCode.BadRequest, 'no file in the roster form', undefined, { userMessage: '请选择名单文件（CSV 或 XLSX）。' });
    // Browsers send multipart file names as UTF-8 bytes; multer reads them as latin1.
    const fileName = Buffer.from(file.originalname, 'latin1').toString('utf8');
    try {
      await this.service.importRoster(id, { fileName, content: file.buffer }, session.actor);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== ErrorCode.RosterInvalid) throw err;
      const errors = ((err.details?.errors as RowError[] | undefined) ?? []).slice(0, 50);
      const rowErrors = errors.map((e) => `第 ${e.row} 行「${e.column}」${e.value ? `（${e.value}）` : ''}：${e.userMessage ?? e.message}`);
      const html = await this.pages.render(
        'SURVEY_ROUND',
        session,
        '调研批次',
        '/app/surveys',
        await this.dashboardData(session, id, { error: err.userMessage, rowErrors }),
      );
      return res.status(200).type('html').send(html);
    }
    res.redirect(303, `/app/surveys/${encodeURIComponent(id)}?done=roster`);
  }

  @Post(':id/sample')
  async sample(@CurrentSession() session: WebSession, @Param('id') id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    requireCsrf(session, body);
    await this.service.drawSample(id, session.actor);
    res.redirect(303, `/app/surveys/${encodeURIComponent(id)}?done=sample`);
  }

  /** Issues the tokens and shows them this once, to print (POST /survey/rounds/:id/tokens). */
  @Post(':id/tokens')
  @Header('Cache-Control', 'no-store')
  async tokens(@CurrentSession() session: WebSession, @Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    requireCsrf(session, body);
    const { round, tokens } = await this.service.issueTokens(id, session.actor);
    return this.pages.render('SURVEY_TOKENS', session, '调查码（打印）', '/app/surveys', {
      id,
      businessKey: round.businessKey,
      tokens,
      origin: `${req.protocol}://${req.get('host') ?? ''}`,
    });
  }
}
