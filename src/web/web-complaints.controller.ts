/**
 * 投诉 pages: the working view (overdue first, grouped and filtered by department or category),
 * the slip to print (the complaint's documents at /app/documents/:id), and the monthly report with
 * charts and its workbook. Every figure comes from `ComplaintService`, as the API's
 * /complaints and /reports/complaints/:month; no page has rules of its own.
 */
import { Controller, Get, Header, Inject, Param, Query, Res, StreamableFile, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import { Public } from '../http/auth.guard';
import { COMPLAINT_DEFINITION, ComplaintService, type WorkingViewLine } from '../processes/complaint/complaint.service';
import { chartJson } from './web-charts';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import { CurrentSession, WebSessionGuard, type WebSession } from './web-session';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const GROUPINGS = [
  { value: 'department', label: '按责任部门' },
  { value: 'category', label: '按投诉类别' },
  { value: 'none', label: '不分组' },
];

/** `YYYY-MM` of an instant in a time zone. */
export function localMonth(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
}

/** The 12 months ending with `month`, oldest first. */
export function last12Months(month: string): string[] {
  const [y, m] = month.split('-').map(Number);
  return Array.from({ length: 12 }, (_, i) => {
    const k = y * 12 + (m - 1) - (11 - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
}

const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);

/** Distinct non-empty values, in order of first appearance. */
function distinct(values: readonly (string | undefined)[], selected: string | undefined) {
  return [...new Set(values.filter((v): v is string => !!v))].map((value) => ({ value, selected: value === selected }));
}

@ApiExcludeController()
@Public()
@UseGuards(WebSessionGuard)
@UseFilters(WebErrorFilter)
@Controller('app/complaints')
export class WebComplaintsController {
  constructor(
    @Inject(WebPages) private readonly pages: WebPages,
    @Inject(ComplaintService) private readonly complaints: ComplaintService,
  ) {}

  private get engine() {
    return this.pages.engine;
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async list(
    @CurrentSession() session: WebSession,
    @Query('department') department?: string,
    @Query('category') category?: string,
    @Query('group') group?: string,
  ) {
    const actor = session.actor;
    const p = this.pages.presenter;
    const grouping = GROUPINGS.some((g) => g.value === group) ? (group as string) : 'department';
    const active = (lines: WorkingViewLine[]) => lines.filter((l) => l.status === 'active');
    const all = active((await this.complaints.workingView({}, actor)).items);
    const lines = active((await this.complaints.workingView({ department: department || undefined, category: category || undefined }, actor)).items);
    const def = (await this.engine.definitions.machine((await this.engine.definitions.latest(COMPLAINT_DEFINITION)).id)).definition;
    const items = await Promise.all(
      lines.map(async (l) => ({
        ...l,
        receivedAt: p.time(l.receivedAt),
        stateTitle: p.stateTitle(def, l.state),
        badge: l.dueAt ? p.badge(l.dueAt, l.dueProvisional, p.dueSoonOf(def)) : undefined,
        documents: ((await this.engine.cases.documents(l.id, actor)) as { id: string; title: string | null; template: string }[]).map((d) => ({
          id: d.id,
          title: d.title ?? d.template,
        })),
      })),
    );
    // Groups keep the working view's order: the group of the most overdue complaint comes first.
    const groups: { name: string; items: typeof items }[] = [];
    for (const item of items) {
      const name = grouping === 'none' ? '' : ((grouping === 'category' ? item.category : item.department) ?? (grouping === 'category' ? '未分类' : '未派单'));
      let g = groups.find((x) => x.name === name);
      if (!g) groups.push((g = { name, items: [] }));
      g.items.push(item);
    }
    return this.pages.render('COMPLAINTS', session, '投诉工作台', '/app/complaints', {
      groups,
      total: items.length,
      departments: distinct(
        all.map((l) => l.department),
        department,
      ),
      categories: distinct(
        all.map((l) => l.category),
        category,
      ),
      groupings: GROUPINGS.map((g) => ({ ...g, selected: g.value === grouping })),
    });
  }

  @Get('report')
  @Header('Cache-Control', 'no-store')
  async report(@CurrentSession() session: WebSession, @Query('month') monthParam?: string) {
    const month = monthParam && MONTH.test(monthParam) ? monthParam : localMonth(this.engine.clock.now(), this.engine.calendar.timeZone);
    const report = await this.complaints.monthlyReport(month, session.actor);
    const months = await Promise.all(
      last12Months(month).map(async (m) => {
        const r = m === month ? report : await this.complaints.monthlyReport(m, session.actor);
        return { month: m, value: r.replyTimeliness.onTimeRate, rate: percent(r.replyTimeliness.onTimeRate), decided: r.replyTimeliness.decided };
      }),
    );
    return this.pages.render('COMPLAINT_REPORT', session, `投诉月度报表 ${report.monthTitle}`, '/app/complaints', {
      month,
      report,
      asOf: this.pages.presenter.time(report.asOf),
      onTimeRate: percent(report.replyTimeliness.onTimeRate),
      months,
      categoryChart: chartJson({
        type: 'bar',
        horizontal: true,
        categories: report.byCategory.map((r) => r.name),
        series: [{ name: '件数', data: report.byCategory.map((r) => r.count) }],
      }),
      channelChart: chartJson({
        type: 'bar',
        horizontal: true,
        categories: report.byChannel.map((r) => r.name),
        series: [{ name: '件数', data: report.byChannel.map((r) => r.count) }],
      }),
      onTimeChart: chartJson({
        type: 'line',
        percent: true,
        categories: months.map((m) => m.month),
        series: [{ name: '按时回复率', data: months.map((m) => m.value) }],
      }),
    });
  }

  /** The workbook of GET /reports/complaints/:month.xlsx, with the session cookie. */
  @Get('report/:file')
  async xlsx(@CurrentSession() session: WebSession, @Param('file') file: string, @Res({ passthrough: true }) res: Response) {
    const month = file.endsWith('.xlsx') ? file.slice(0, -5) : '';
    if (!MONTH.test(month)) throw new AppError(ErrorCode.NotFound, `no report '${file}'`, undefined, { userMessage: '没有这个月份的报表。' });
    const workbook = await this.complaints.monthlyReportXlsx(month, session.actor);
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="complaint-report-${month}.xlsx"`);
    res.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(workbook);
  }
}
