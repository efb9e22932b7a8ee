/**
 * 满意度调研 pages in headless Chromium over real HTTP (issue 13): a survey manager finds the round
 * by project, imports the roster through the upload form (a bad file is refused with its rows
 * named), draws the sample, prints the tokens, watches the returns against the validity
 * threshold, sees the per-item satisfaction chart with the figures of the statistics and the
 * previous round of the same project and stage, and opens the analysis report and the open
 * letter. Plan approval, freezing, closing and the notice go through the API (the case page's
 * generic steps, tested elsewhere). Every page test fails on a console error.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';

const DAY = 24 * 3600 * 1000;
const PROJECT = '翠湖花园<b>一期</b>';
const ITEMS = ['order', 'traffic', 'cleaning', 'greenery', 'utilities', 'elevator', 'repairs', 'community', 'complaints'];

/** Answers of the n-th household; the elevator does worse in the current round. */
function answersFor(n: number, current: boolean) {
  const ratings: Record<string, string> = {};
  ITEMS.forEach((item, k) => {
    const r = (n * 31 + k * 17) % 100;
    ratings[item] = current && item === 'elevator' && n % 2 === 0 ? 'dissatisfied' : r < 60 ? 'verySatisfied' : r < 90 ? 'satisfied' : 'neutral';
  });
  return { ratings };
}

describeBrowser.each(DRIVERS)('满意度调研 pages in the browser on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const clock = new ManualClock(new Date('2025-09-01T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);
  const rows = rosterRows(70);
  const dir = tmpdir();
  const goodCsv = join(dir, `roster-good-${driver}.csv`);
  const badCsv = join(dir, `roster-bad-${driver}.csv`);
  let roundId = '';

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    auth.cs = { Authorization: `Bearer ${await h.user('cs', ['cs_supervisor', 'cs_assistant'])}` };
    auth.mg = { Authorization: `Bearer ${await h.user('mg', ['manager'])}` };
    auth.dh = { Authorization: `Bearer ${await h.user('dh', ['dept_head'])}` };
    auth.vf = { Authorization: `Bearer ${await h.user('vf', ['verifier'])}` };
    await writeFile(goodCsv, rosterCsv(rows, { bom: true }));
    await writeFile(badCsv, rosterCsv(rows.slice(0, 10)).replace('13800000003', '138-ABC'));

    // The previous round of the same project and stage, through the API: everyone answers.
    const prev = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2025-09', stage: '稳定期' }))
      .body;
    await send('cs', prev.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', prev.id, 'approvePlan');
    await h.http
      .put(`/survey/rounds/${prev.id}/roster`)
      .set(auth.cs)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(rosterCsv(rows)))
      .expect(200);
    await send('cs', prev.id, 'freezeRoster');
    await call('post', 'cs', `/survey/rounds/${prev.id}/sample`);
    const tokens = (await call('post', 'cs', `/survey/rounds/${prev.id}/tokens`)).body.tokens as { token: string }[];
    for (const [n, t] of tokens.entries()) await h.http.post(`/survey/answer/${t.token}`).send(answersFor(n, false)).expect(201);
    await send('cs', prev.id, 'closeCollection');
    await send('cs', prev.id, 'compile');
    await send('cs', prev.id, 'markCommonIssues', { commonIssues: [] });
    await send('cs', prev.id, 'draftNotice', { replies: [], managementOffice: '翠湖花园管理处' });
    await send('mg', prev.id, 'approveNotice');

    // The current round: its plan approved.
    clock.set('2026-03-02T01:00:00.000Z');
    for (const name of ['cs', 'mg', 'dh', 'vf']) {
      const res = await h.http.post('/auth/token').send({ username: name, password: PASSWORD }).expect(200);
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2026-03', stage: '稳定期' }))
      .body;
    roundId = round.id;
    await send('cs', roundId, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', roundId, 'approvePlan');
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await h?.close();
  });

  async function signedIn(username: string, viewport = { width: 1280, height: 900 }) {
    const context = await browser.newContext({ viewport, locale: 'zh-CN' });
    contexts.push(context);
    const watched = await watchedPage(context);
    watched.page.on('dialog', (dialog) => void dialog.accept());
    await watched.page.goto(`${h.baseUrl}/app/login`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    return watched;
  }

  const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
  const seriesOf = (page: Page, name: string) =>
    page.evaluate(
      `echarts.getInstanceByDom(document.querySelector('[data-test=chart-${name}]')).getOption().series.map(function (s) { return s.data; })`,
    ) as Promise<(number | null)[][]>;

  it('imports the roster, draws the sample, prints the tokens, watches the returns, sees the charts and opens the open letter', async () => {
    const { page, assertClean } = await signedIn('cs');
    await page.click('nav >> text=满意度调研');
    await expect(page.textContent('h1')).resolves.toBe('满意度调研');
    await expect(page.locator('[data-project] h2').first().textContent()).resolves.toBe(PROJECT);
    await expect(page.locator('[data-round]').count()).resolves.toBe(2);
    await page.screenshot({ path: '/tmp/wf-surveys-1280.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-surveys-390.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.selectOption('#f-stage', '稳定期');
    await page.selectOption('#f-batch', '2026-03');
    await Promise.all([page.waitForURL(/stage=/), page.click('form.filters button[type=submit]')]);
    await expect(page.locator('[data-round]').count()).resolves.toBe(1);
    await Promise.all([page.waitForURL(/\/app\/surveys\/[^?]+$/), page.click('text=2026-03 · 稳定期')]);
    await expect(page.textContent('[data-test=state]')).resolves.toContain('名单');

    // A bad file is refused whole, the row and column named; a good one is imported.
    await page.setInputFiles('#roster-file', badCsv);
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("导入名单")')]);
    await expect(page.textContent('.alert')).resolves.toContain('未导入任何数据');
    await expect(page.textContent('.alert')).resolves.toContain('138-ABC');
    await page.setInputFiles('#roster-file', goodCsv);
    await Promise.all([page.waitForURL(/done=roster/), page.click('button:has-text("导入名单")')]);
    await expect(page.textContent('[data-test=roster-summary]')).resolves.toContain('共 70 户，入住 60 户');

    await send('cs', roundId, 'freezeRoster');
    await page.reload();
    await Promise.all([page.waitForURL(/done=sample/), page.click('button:has-text("抽样")')]);
    const sample = (await call('get', 'cs', `/instances/${roundId}`)).body.context.sample;
    await expect(page.textContent('[data-test=sample-summary]')).resolves.toContain(`已抽 ${sample.size} 户`);

    // The tokens show once, to print.
    await Promise.all([page.waitForURL(/\/tokens$/), page.click('button:has-text("发放调查码")')]);
    const tokens = await page.locator('[data-test=tokens] td.token').allTextContents();
    expect(tokens).toHaveLength(sample.size);
    await page.screenshot({ path: '/tmp/wf-survey-tokens-1280.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-survey-tokens-390.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Owners answer over two days; the manager watches the returns against the threshold.
    const threshold = 0.85;
    const needed = Math.floor(sample.size * threshold) + 1;
    const firstDay = Math.floor(needed / 2);
    for (const [n, t] of tokens.slice(0, firstDay).entries()) await h.http.post(`/survey/answer/${t}`).send(answersFor(n, true)).expect(201);
    await page.goto(`${h.baseUrl}/app/surveys/${roundId}`);
    await expect(page.textContent('[data-test=progress-summary]')).resolves.toContain(`已回收 ${firstDay} 份`);
    await expect(page.textContent('[data-test=progress-summary]')).resolves.toContain(`还差 ${needed - firstDay} 份`);
    clock.advance(DAY);
    for (const [n, t] of tokens.slice(firstDay, needed).entries())
      await h.http
        .post(`/survey/answer/${t}`)
        .send(answersFor(n + firstDay, true))
        .expect(201);
    await page.reload();
    await expect(page.textContent('[data-test=progress-summary]')).resolves.toContain('已达到有效条件');
    await page.waitForSelector('[data-test=chart-returns][data-chart-ready=true] canvas');
    const returns = await seriesOf(page, 'returns');
    expect(returns[0]).toEqual([firstDay / sample.size, needed / sample.size]);
    expect(returns[1]).toEqual([threshold, threshold]);

    // Collection closes; the figures are compiled and analysed against the previous round.
    await send('cs', roundId, 'closeCollection');
    await send('cs', roundId, 'compile');
    const stats = (await call('get', 'mg', `/survey/rounds/${roundId}/statistics`)).body as { items: { key: string; satisfaction: number | null }[] };
    const prevId = (await call('get', 'cs', `/instances?definition=survey-round&businessKey=${encodeURIComponent(`SR-${PROJECT}-2025-09-稳定期`)}`)).body
      .items[0].id;
    const prevStats = (await call('get', 'mg', `/survey/rounds/${prevId}/statistics`)).body as { items: { key: string; satisfaction: number | null }[] };
    await page.reload();
    await page.waitForSelector('[data-test=chart-items][data-chart-ready=true] canvas');
    const items = await seriesOf(page, 'items');
    expect(items[0]).toEqual(stats.items.map((i) => i.satisfaction));
    expect(items[1]).toEqual(prevStats.items.map((i) => i.satisfaction));
    await expect(page.textContent('[data-test=previous]')).resolves.toContain('2025-09');
    await expect(page.locator('[data-item=elevator] td').nth(3).textContent()).resolves.toMatch(/^-/);
    await page.screenshot({ path: '/tmp/wf-survey-1280.png', fullPage: true });

    // One common issue, one corrective action: listed with its state until it is closed; then the notice.
    const issue = '电梯经常困梯<script>alert(1)</script>';
    await send('cs', roundId, 'markCommonIssues', { commonIssues: [{ title: issue, commenters: 3 }] });
    await send('mg', roundId, 'assignCorrectiveAction', {
      issue,
      measures: '维保单位每周巡检',
      department: '工程部',
      responsiblePerson: '工程部 陈工',
      verifier: 'vf',
      deadline: '2026-03-31',
    });
    await h.engine.runDueWork();
    await page.reload();
    const action = page.locator('[data-test=actions] li').first();
    await expect(action.locator('a').textContent()).resolves.toBe(issue);
    await expect(action.textContent()).resolves.toContain('工程部');
    await expect(action.locator('[data-test=action-state]').textContent()).resolves.toBe('整改中 · 责任部门整改');
    const child = (await call('get', 'mg', '/instances?definition=corrective-action')).body.items[0].id as string;
    await send('dh', child, 'reportDone', { result: '钢丝绳已更换' });
    await send('vf', child, 'verify', { passed: true });
    await send('cs', child, 'recordFeedback', { feedback: 'explained', note: '在公告栏说明整改结果' });
    await send('mg', child, 'recordSpotCheck', { note: '抽查运行正常' });
    await h.engine.runDueWork();
    const closedTitle = (await call('get', 'mg', `/instances/${child}`)).body;
    expect(closedTitle.status).toBe('completed');
    await send('cs', roundId, 'draftNotice', { replies: [{ issue, reply: '已整改' }], managementOffice: '翠湖花园管理处' });
    await send('mg', roundId, 'approveNotice');
    await h.engine.runDueWork();
    await page.reload();
    await expect(page.locator('[data-test=documents] a:has-text("客户意见调查分析报告")').count()).resolves.toBe(1);
    const letter = page.locator('[data-test=documents] a:has-text("公开信")');
    await expect(letter.count()).resolves.toBe(1);
    await expect(page.locator('[data-test=actions] [data-test=action-state]').first().textContent()).resolves.toBe('已完成');
    // Values are text: the project's and the issue's markup shows as written.
    await expect(page.locator('main b, main script:not([src])').count()).resolves.toBe(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('[data-test=chart-items][data-chart-ready=true] canvas');
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-survey-390.png', fullPage: true });
    await Promise.all([page.waitForURL(/\/app\/documents\//), letter.click()]);
    await expect(page.textContent('body')).resolves.toContain('公开信');
    // The letter's figures are the round's: the forms issued and returned.
    await expect(page.textContent('body')).resolves.toContain(`共发出调查表${sample.size}份`);
    await expect(page.textContent('body')).resolves.toContain(`回收调查表${needed}份`);
    assertClean();
  }, 120_000);
});
