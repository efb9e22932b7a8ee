/**
 * 投诉 pages in headless Chromium over real HTTP (issue 13): the working view lists the overdue
 * complaint first (grouped by department, filterable by category) with the slip to print; the
 * monthly report draws its charts from the same figures as GET /reports/complaints/:month and
 * its workbook downloads with the session cookie. Every page test fails on a console error.
 */
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';

const XSS = '<script>alert(1)</script>';

describeBrowser.each(DRIVERS)('投诉 pages in the browser on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const clock = new ManualClock(new Date('2026-03-02T02:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  async function complaint(key: string, unit: string, category: string, department: string): Promise<string> {
    const { body } = await call('post', 'ca', '/instances', {
      definition: 'complaint',
      businessKey: key,
      context: { receivedAt: clock.now().toISOString(), complainant: '孙先生', unit, contact: '13300000000', channel: '来电/传真', content: '水压不足' },
    });
    await send('ca', body.id, 'classify', { valid: true, category, severity: '一般' });
    await send('cs', body.id, 'dispatch', { department });
    return body.id as string;
  }

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    auth.ca = { Authorization: `Bearer ${await h.user('ca', ['cs_assistant'])}` };
    auth.cs = { Authorization: `Bearer ${await h.user('cs', ['cs_supervisor'])}` };
    // The first complaint is left unanswered past its three working days; two more come later.
    await complaint('TS-LATE', XSS, '设备设施', '工程部');
    clock.advance(6 * 24 * 3600 * 1000);
    auth.ca = { Authorization: `Bearer ${(await h.http.post('/auth/token').send({ username: 'ca', password: PASSWORD })).body.token}` };
    auth.cs = { Authorization: `Bearer ${(await h.http.post('/auth/token').send({ username: 'cs', password: PASSWORD })).body.token}` };
    await complaint('TS-SEC', '2栋201', '管理服务', '保安部');
    await complaint('TS-ENG', '5栋502', '设备设施', '工程部');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await h?.close();
  });

  async function signedIn(username: string, viewport = { width: 1280, height: 900 }) {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true });
    contexts.push(context);
    const watched = await watchedPage(context);
    await watched.page.goto(`${h.baseUrl}/app/login`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    return watched;
  }

  const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

  it('lists the overdue complaint first, by department and by category, with the slip to print', async () => {
    const { page, assertClean } = await signedIn('cs');
    await page.click('nav >> text=投诉');
    await expect(page.textContent('h1')).resolves.toBe('投诉工作台');
    const keys = await page.locator('[data-complaint]').evaluateAll((els) => els.map((e) => e.getAttribute('data-complaint')));
    expect(keys[0]).toBe('TS-LATE');
    expect(keys).toHaveLength(3);
    const first = page.locator('[data-complaint]').first();
    await expect(first.getAttribute('data-overdue')).resolves.toBe('true');
    await expect(first.locator('.badge').textContent()).resolves.toContain('已超时');
    await expect(first.locator('.badge').getAttribute('class')).resolves.toContain('red');
    // The complaint's unit is a value like any other: shown as text.
    await expect(first.locator('.task-title').textContent()).resolves.toContain(XSS);
    // Grouped by department: 工程部 (with the overdue one) first.
    const groups = await page.locator('[data-group]').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
    expect(groups).toEqual(['工程部', '保安部']);
    // Filtered by category, grouped by category.
    await page.selectOption('#f-category', '设备设施');
    await page.selectOption('#f-group', 'category');
    await Promise.all([page.waitForURL(/category=/), page.click('form.filters button[type=submit]')]);
    await expect(page.locator('[data-complaint]').evaluateAll((els) => els.map((e) => e.getAttribute('data-complaint')))).resolves.toEqual([
      'TS-LATE',
      'TS-ENG',
    ]);
    await expect(page.locator('[data-group]').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')))).resolves.toEqual(['设备设施']);
    // The slip (服务投诉单) opens as a printable page with the session cookie.
    const slip = page.locator('[data-complaint=TS-LATE] a:has-text("服务投诉单")');
    await Promise.all([page.waitForURL(/\/app\/documents\//), slip.click()]);
    await expect(page.textContent('body')).resolves.toContain('服务投诉单');
    await page.goBack();
    await page.screenshot({ path: '/tmp/wf-complaints-1280.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-complaints-390.png', fullPage: true });
    assertClean();
  }, 60_000);

  it('shows the monthly report with its charts, the figures of the API, and downloads its workbook', async () => {
    const { page, assertClean } = await signedIn('cs');
    await page.goto(`${h.baseUrl}/app/complaints`);
    await Promise.all([page.waitForURL(/\/app\/complaints\/report/), page.click('text=月度报表')]);
    await expect(page.textContent('h1')).resolves.toBe('投诉月度报表 2026年3月');
    const api = (await call('get', 'cs', '/reports/complaints/2026-03')).body;
    await expect(page.textContent('[data-figure=received]')).resolves.toBe(String(api.received));
    // Each chart is drawn (a canvas in it) with the report's figures.
    for (const name of ['category', 'channel', 'ontime']) {
      await page.waitForSelector(`[data-test=chart-${name}][data-chart-ready=true] canvas`);
    }
    /** The data of a chart's first series, as ECharts holds it. */
    const seriesOf = (name: string) =>
      page.evaluate(`echarts.getInstanceByDom(document.querySelector('[data-test=chart-${name}]')).getOption().series[0].data`) as Promise<unknown[]>;
    await expect(seriesOf('category')).resolves.toEqual(api.byCategory.map((r: { count: number }) => r.count));
    await expect(seriesOf('channel')).resolves.toEqual(api.byChannel.map((r: { count: number }) => r.count));
    const ontime = (await seriesOf('ontime')) as (number | null)[];
    expect(ontime).toHaveLength(12);
    expect(ontime[11]).toBe(api.replyTimeliness.onTimeRate);
    expect(api.byCategory.find((r: { name: string }) => r.name === '设备设施').count).toBe(2);
    await page.screenshot({ path: '/tmp/wf-report-1280.png', fullPage: true });

    // The workbook downloads with the session cookie (no Authorization header).
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=xlsx]')]);
    expect(download.suggestedFilename()).toBe('complaint-report-2026-03.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile((await download.path()) as string)) as unknown as ArrayBuffer);
    expect(workbook.worksheets.length).toBeGreaterThan(0);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('[data-test=chart-ontime][data-chart-ready=true] canvas');
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-report-390.png', fullPage: true });
    assertClean();
  }, 60_000);
});
