import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../common/app-error';
import { TemplateCatalog } from './template-catalog';
import { thrownAppError as catchAppError } from '../../test/support/app-error';

const TEMPLATES_DIR = join(__dirname, '../../templates');

const complaint = {
  businessKey: 'TS-2026-0007',
  channel: '来电',
  complainant: '欧阳娜娜',
  unit: '3栋1单元502',
  contact: '13812345678',
  receivedAt: '2026-02-13T02:00:00.000Z',
  content: '楼道灯已坏三天，晚上出入不便。<script>alert("x")</script>',
  category: '设备设施',
  severity: '一般',
  valid: true,
  invalidReason: undefined,
  department: '工程部',
  handlingMethod: '当天安排电工更换灯具',
  result: '已修复，经住户确认',
  replyAt: '2026-02-24T06:00:00.000Z',
  explanation: '春节假期人员不足，延后一天回单',
  returnVisit: { satisfied: true, comment: '满意，谢谢', at: '2026-02-25' },
  reopenCount: 1,
  renderedAt: '2026-02-25T08:30:00.000Z',
};

describe('TemplateCatalog (templates/)', () => {
  const catalog = TemplateCatalog.fromDirectory(TEMPLATES_DIR);

  it('names templates by path and keeps partials apart', () => {
    expect(catalog.names()).toEqual(expect.arrayContaining(['complaint-record', 'service-complaint-slip']));
    expect(catalog.names().filter((n) => n.startsWith('partials/') || n === 'layout' || n === 'sheet')).toEqual([]);
    expect(catalog.has('complaint-record')).toBe(true);
    expect(catalog.has('layout')).toBe(false);
    expect([...catalog.partialsUsedBy('service-complaint-slip')].sort()).toEqual(['layout', 'sheet']);
  });

  it('renders 《顾客投诉记录》 with every field, the A4 layout and escaped content', () => {
    const { html, templateHash } = catalog.render('complaint-record', complaint);
    expect(templateHash).toMatch(/^[0-9a-f]{64}$/);
    expect(html).toContain('@page { size: A4; margin: 18mm 15mm; }');
    expect(html).toContain('<title>顾客投诉记录</title>');
    expect(html).toContain('<h1>顾客投诉记录</h1>');
    for (const text of [
      'TS-2026-0007',
      '来电',
      '欧阳娜娜',
      '3栋1单元502',
      '13812345678',
      '设备设施',
      '一般',
      '工程部',
      '当天安排电工更换灯具',
      '已修复，经住户确认',
      '春节假期人员不足，延后一天回单',
      '满意，谢谢',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('2026年2月13日 10:00'); // receivedAt in Asia/Shanghai
    expect(html).toContain('2026年2月24日'); // replyAt
    expect(html).toContain('回访日期：2026年2月25日');
    expect(html).toContain('☑ 有效投诉');
    expect(html).toContain('□ 无效投诉');
    expect(html).toContain('☑ 满意');
    expect(html).toContain('打印时间：2026年2月25日 16:30');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('shows an invalid complaint with its reason, and blanks for what is not known yet', () => {
    const { html } = catalog.render('complaint-record', {
      businessKey: 'TS-2026-0008',
      complainant: '张三',
      valid: false,
      invalidReason: '非本项目服务范围',
      renderedAt: '2026-02-13T02:00:00Z',
    });
    expect(html).toContain('□ 有效投诉');
    expect(html).toContain('☑ 无效投诉');
    expect(html).toContain('无效原因：<span class="text">非本项目服务范围</span>');
    expect(html).toContain('□ 满意');
    expect(html).toContain('□ 不满意');
  });

  it('renders 《服务投诉单》 in two copies, each on its own page', () => {
    const { html } = catalog.render('service-complaint-slip', complaint);
    const sheets = html.split('<section class="sheet">').slice(1);
    expect(sheets).toHaveLength(2);
    expect(sheets[0]).toContain('第一联　存根（客户服务中心留存）');
    expect(sheets[1]).toContain('第二联　部门联（交责任部门处理后回单）');
    for (const sheet of sheets) {
      expect(sheet).toContain('<h1>服务投诉单</h1>');
      expect(sheet).toContain('欧阳娜娜');
      expect(sheet).toContain('3栋1单元502');
      expect(sheet).toContain('2026年2月13日');
      expect(sheet).toContain('工程部');
      expect(sheet).toContain('当天安排电工更换灯具');
      expect(sheet).toContain('<th>回单日期</th><td>2026年2月24日</td>');
      expect(sheet).toContain('&lt;script&gt;');
      // The department must 迅速上门与投诉人联系 (003 四.(八).2): the slip carries the contact.
      expect(sheet).toContain('<th>联系方式</th><td colspan="3">13812345678</td>');
    }
    expect(html).toContain('.sheet + .sheet { break-before: page; page-break-before: always; }');
  });

  it('prints the deadlines the dispatch armed on both copies, saying when the reply deadline is provisional', () => {
    const { html } = catalog.render('service-complaint-slip', {
      ...complaint,
      deadlines: {
        contactOverdue: { dueAt: '2026-02-13T10:00:00.000Z', provisional: false },
        replyOverdue: { dueAt: '2026-02-25T10:00:00.000Z', provisional: true },
      },
    });
    expect(html.match(/<th>联系投诉人<\/th><td>当天，2026年2月13日 18:00前<\/td>/g)).toHaveLength(2);
    expect(html.match(/<th>回单时限<\/th><td>2026年2月25日 18:00（暂定：节假日安排公布后可能调整）<\/td>/g)).toHaveLength(2);
    const final = catalog.render('service-complaint-slip', {
      ...complaint,
      deadlines: { replyOverdue: { dueAt: '2026-02-25T10:00:00.000Z', provisional: false } },
    });
    expect(final.html).toContain('<th>回单时限</th><td>2026年2月25日 18:00</td>');
  });

  it('prints the reply deadline on 《顾客投诉记录》 rendered at dispatch', () => {
    const { html } = catalog.render('complaint-record', {
      ...complaint,
      deadlines: { replyOverdue: { dueAt: '2026-02-25T10:00:00.000Z', provisional: true } },
    });
    expect(html).toContain('<th>回单时限</th><td>2026年2月25日 18:00（暂定：节假日安排公布后可能调整）</td>');
  });

  it('leaves lines for the department head to fill in by hand', () => {
    const { html } = catalog.render('service-complaint-slip', { businessKey: 'TS-1', complainant: '张三', renderedAt: '2026-02-13T02:00:00Z' });
    expect(html.match(/<th>回单日期<\/th><td>　　年　　月　　日<\/td>/g)).toHaveLength(2);
    expect(html.match(/<th>处理方式<\/th><td colspan="3" class="text tall"><\/td>/g)).toHaveLength(2);
  });

  it('lists the fields each template reads', () => {
    expect(catalog.referencedFields('complaint-record')).toEqual([
      'businessKey',
      'category',
      'channel',
      'complainant',
      'contact',
      'content',
      'deadlines.replyOverdue',
      'deadlines.replyOverdue.dueAt',
      'deadlines.replyOverdue.provisional',
      'department',
      'dispatchedAt',
      'explanation',
      'handlingMethod',
      'invalidReason',
      'receivedAt',
      'renderedAt',
      'reopenCount',
      'replyAt',
      'result',
      'returnVisit.at',
      'returnVisit.comment',
      'returnVisit.satisfied',
      'severity',
      'unit',
      'valid',
    ]);
    expect(catalog.referencedRootFields('complaint-record')).toContain('returnVisit');
    expect(catalog.referencedFields('service-complaint-slip')).toEqual([
      'businessKey',
      'complainant',
      'contact',
      'content',
      'deadlines.contactOverdue',
      'deadlines.replyOverdue',
      'department',
      'handlingMethod',
      'receivedAt',
      'renderedAt',
      'replyAt',
      'result',
      'unit',
    ]);
  });

  it('refuses an unknown template with NotFound naming the known ones', () => {
    const err = catchAppError(() => catalog.render('complaint-recrd', {}));
    expect(err.code).toBe(ErrorCode.NotFound);
    expect(err.message).toMatch(/^template 'complaint-recrd' not found; known templates: .*complaint-record, .*service-complaint-slip/);
  });

  it('preview renders the same document', () => {
    expect(catalog.preview('complaint-record', complaint)).toEqual(catalog.render('complaint-record', complaint));
  });
});

/** Documents for owners: printed without internal numbers or a print-time footer. */
const PUBLIC_TEMPLATES = ['manager-service-card', 'survey-notice'];

describe('dates on every form and notice (templates/)', () => {
  // 2026-12-01T18:13:58Z is 2 December 02:13 in Shanghai: a UTC date would be a day off.
  const LATE = '2026-12-01T18:13:58.216Z';
  /** The date and time fields each template prints, all set to LATE (date-only fields to 2 December). */
  const DATES: Record<string, Record<string, unknown>> = {
    'complaint-monthly-report': {
      report: { periodStart: '2026-11-01', periodEnd: '2026-11-30', lateComplaints: [{ receivedAt: LATE, replyDeadline: LATE, firstReplyAt: LATE }] },
    },
    'complaint-record': { receivedAt: LATE, replyAt: LATE, dispatchedAt: LATE, returnVisit: { at: LATE }, deadlines: { replyOverdue: { dueAt: LATE } } },
    'corrective-action-notice': { deadline: '2026-12-02', issuedAt: LATE, verification: { verifiedAt: LATE } },
    'exclusion-application': { regionalDecision: { at: LATE } },
    'manager-service-card': {},
    'opinion-record': { opinions: [{ returnVisit: { at: LATE } }] },
    'pause-application': { submittedAt: LATE, startsAt: LATE, endsAt: LATE },
    'service-complaint-slip': { receivedAt: LATE, replyAt: LATE, deadlines: { contactOverdue: { dueAt: LATE }, replyOverdue: { dueAt: LATE } } },
    'survey-analysis': { surveyedFrom: LATE, surveyedTo: LATE, commonIssues: [{ deadline: '2026-12-02' }], preparedAt: LATE },
    'survey-notice': { publishedAt: LATE },
    'survey-plan': { occasion: { kind: '新服务项目', serviceItem: '社区食堂', serviceStartedOn: '2026-12-02', reason: '开业' } },
    'survey-questionnaire': { surveyedAt: LATE },
    'survey-statistics': { surveyedFrom: LATE, surveyedTo: LATE, preparedAt: LATE },
  };
  const catalog = TemplateCatalog.fromDirectory(TEMPLATES_DIR);

  it('knows the date fields of every template', () => {
    expect(Object.keys(DATES).sort()).toEqual(catalog.names());
  });

  it.each(Object.keys(DATES))('%s prints local Chinese dates, never ISO or UTC text', (name) => {
    const { html } = catalog.render(name, { ...DATES[name], renderedAt: LATE });
    // What owners read (the open letter, the manager's card) carries no print-time footer.
    const forOwners = PUBLIC_TEMPLATES.includes(name);
    if (forOwners) expect(html).not.toContain('打印时间');
    else expect(html).toContain('打印时间：2026年12月2日 02:13');
    const dates = JSON.stringify(DATES[name]).split(LATE).length - 1 + (JSON.stringify(DATES[name]).match(/2026-12-02/g) ?? []).length;
    expect(html.split('2026年12月2日').length - 1).toBeGreaterThanOrEqual(dates + (forOwners ? 0 : 1));
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|2026年12月1日/);
  });

  it("reads instants in the catalog's zone (the business calendar's), Asia/Shanghai by default", () => {
    const utc = TemplateCatalog.fromDirectory(TEMPLATES_DIR, { timeZone: 'UTC' });
    expect(utc.render('complaint-record', { receivedAt: LATE, renderedAt: LATE }).html).toContain('<th>受理时间</th><td>2026年12月1日 18:13</td>');
    expect(catalog.render('complaint-record', { receivedAt: LATE, renderedAt: LATE }).html).toContain('<th>受理时间</th><td>2026年12月2日 02:13</td>');
    const inline = new TemplateCatalog({ templates: { t: '{{dateTimeCn at}}' } }, { timeZone: 'Europe/Paris' });
    expect(inline.render('t', { at: LATE }).html).toBe('2026年12月1日 19:13');
    expect(() => TemplateCatalog.fromDirectory(TEMPLATES_DIR, { timeZone: 'Asia/Beijing' })).toThrow(/unknown time zone 'Asia\/Beijing'/);
    // The zone does not change what a template is: the hash stays the same.
    expect(utc.templateHash('complaint-record')).toBe(catalog.templateHash('complaint-record'));
  });
});

describe('templateHash', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('changes when the layout changes, and only then', () => {
    const before = TemplateCatalog.fromDirectory(dir);
    const again = TemplateCatalog.fromDirectory(dir);
    expect(again.templateHash('complaint-record')).toBe(before.templateHash('complaint-record'));

    appendFileSync(join(dir, 'partials/layout.hbs'), '\n<!-- v2 -->\n');
    writeFileSync(join(dir, 'unrelated.hbs'), '<p>{{x}}</p>');
    const after = TemplateCatalog.fromDirectory(dir);
    expect(after.templateHash('complaint-record')).not.toBe(before.templateHash('complaint-record'));
    expect(after.templateHash('service-complaint-slip')).not.toBe(before.templateHash('service-complaint-slip'));
    expect(after.render('complaint-record', complaint).templateHash).toBe(after.templateHash('complaint-record'));
    expect(after.names()).toContain('unrelated');
  });

  it('does not depend on partials the template does not use', () => {
    const a = new TemplateCatalog({ templates: { t: '{{> p1}}' }, partials: { p1: 'one', p2: 'two' } });
    const b = new TemplateCatalog({ templates: { t: '{{> p1}}' }, partials: { p1: 'one', p2: 'TWO' } });
    const c = new TemplateCatalog({ templates: { t: '{{> p1}}' }, partials: { p1: 'ONE', p2: 'two' } });
    expect(a.templateHash('t')).toBe(b.templateHash('t'));
    expect(a.templateHash('t')).not.toBe(c.templateHash('t'));
  });
});

describe('TemplateCatalog safety and errors', () => {
  it('escapes by default and keeps prototype access disabled', () => {
    const c = new TemplateCatalog({ templates: { t: '{{v}}|{{constructor.name}}|{{__proto__}}' } });
    const html = c.render('t', { v: '<b>&"' }).html;
    expect(html.startsWith('&lt;b&gt;&amp;&quot;|')).toBe(true);
    expect(html).not.toContain('Object');
  });

  it('does not register helpers or partials globally', () => {
    const Handlebars = jest.requireActual<typeof import('handlebars')>('handlebars');
    new TemplateCatalog({ templates: { t: 'x' }, partials: { layout: 'y' } });
    expect(Handlebars.helpers.dateCn).toBeUndefined();
    expect(Handlebars.partials.layout).toBeUndefined();
  });

  it('refuses a template with a syntax error or an unknown partial at load time', () => {
    const syntax = catchAppError(() => new TemplateCatalog({ templates: { bad: '{{#if x}}open' } }));
    expect(syntax.code).toBe(ErrorCode.TemplateInvalid);
    expect(syntax.message).toMatch(/template 'bad' has a syntax error/);
    const partial = catchAppError(() => new TemplateCatalog({ templates: { t: '{{#> lay}}x{{/lay}}' } }));
    expect(partial.message).toBe("template 't' uses the partial 'lay', which is not in templates/partials/");
  });

  it('wraps render failures in TemplateInvalid', () => {
    const c = new TemplateCatalog({ templates: { t: '{{#each}}x{{/each}}' } });
    expect(catchAppError(() => c.render('t', {})).code).toBe(ErrorCode.TemplateInvalid);
  });
});

describe('referencedFields', () => {
  const fieldsOf = (source: string, partials: Record<string, string> = {}): string[] =>
    new TemplateCatalog({ templates: { t: source }, partials }).referencedFields('t');

  it('skips helpers, literals, this and @data', () => {
    expect(fieldsOf('{{dateCn receivedAt time=true}} {{percent returned issued}} {{#if (eq severity "重大")}}{{this}}{{@index}}{{/if}}')).toEqual([
      'issued',
      'receivedAt',
      'returned',
      'severity',
    ]);
  });

  it('reads #each and #with children relative to their argument', () => {
    expect(fieldsOf('{{#each items}}{{inc @index}} {{name}} {{../title}} {{@root.batch}}{{else}}{{emptyText}}{{/each}}')).toEqual([
      'batch',
      'emptyText',
      'items',
      'items.name',
      'title',
    ]);
    expect(fieldsOf('{{#with returnVisit}}{{comment}}{{/with}}')).toEqual(['returnVisit', 'returnVisit.comment']);
  });

  it('follows block params', () => {
    expect(fieldsOf('{{#each rows as |row i|}}{{row.item}} {{i}} {{row}}{{/each}}')).toEqual(['rows', 'rows.item']);
  });

  it('includes fields read by partials but not the hash arguments passed to them', () => {
    const partials = { card: '<b>{{heading}}</b>{{footerNote}}{{> @partial-block}}' };
    expect(fieldsOf('{{#> card heading="标题"}}{{body}}{{/card}}', partials)).toEqual(['body', 'footerNote']);
    expect(fieldsOf('{{> card heading=title}}', partials)).toEqual(['footerNote', 'title']);
    expect(fieldsOf('{{#*inline "row"}}{{cell}}{{/inline}}{{> row}}')).toEqual(['cell']);
  });

  it('counts a plain block section as a field', () => {
    expect(fieldsOf('{{#returnVisit}}{{comment}}{{/returnVisit}}')).toEqual(['returnVisit', 'returnVisit.comment']);
  });
});
