/**
 * The 工作台 on a 390 px phone (issue 13): a project CR lead uploads the evidence of an
 * exclusion request through the case page's upload form; the regional approver finds it in
 * 待办 with its summary, downloads the evidence and decides it with the labelled button
 * (研判通过) and a comment; the time line shows the decision with its comment. No page scrolls
 * sideways; every page fails on a console error.
 */
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { DRIVERS } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';
import type { Browser, Page } from 'playwright-core';

const PROJECT = '翠湖花园一期';
const dialogs: string[] = [];

describeBrowser.each(DRIVERS)('an exclusion request decided on a phone on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    for (const [name, roles] of Object.entries({
      cs: ['cs_supervisor'],
      mg: ['manager'],
      ca: ['cs_assistant'],
      lead: ['project_cr_lead'],
      region: ['regional_cr'],
    })) {
      auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
    }
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function phone(username: string) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const watched = await watchedPage(context);
    // Every step asks for confirmation; the person confirms (the message names the step).
    watched.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await watched.page.goto(`${h.baseUrl}/app/login`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    return { ...watched, context };
  }
  const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

  it('the lead uploads the evidence in the page; the regional approver decides on a 390 px phone', async () => {
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2026-03', stage: '稳定期' }))
      .body.id;
    await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', round, 'approvePlan');
    const csv = Buffer.from(rosterCsv(rosterRows(60)), 'utf8');
    await h.http.put(`/survey/rounds/${round}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    const context = {
      requestNo: 'EX-WEB-1',
      project: PROJECT,
      batches: ['2026-03'],
      stages: ['稳定期'],
      reason: '已与我司产生诉讼关系的业主',
      evidence: '（2026）民初字第12号案件受理通知书',
      households: [{ householdId: '1栋-1-101', room: '1栋-1-101', ownerName: '王伟' }],
    };
    const id = (await call('post', 'lead', '/instances', { definition: 'exclusion-request', businessKey: 'EX-WEB-1', context })).body.id as string;

    // The lead attaches the evidence through the page's upload form.
    const lead = await phone('lead');
    await lead.page.goto(`${h.baseUrl}/app/cases/${id}`);
    await lead.page.setInputFiles('#file', { name: '受理通知书.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 受理通知书', 'utf8') });
    await Promise.all([lead.page.waitForURL(/done=file/), lead.page.click('button:has-text("上传")')]);
    await expect(lead.page.locator('a:has-text("受理通知书.pdf")').count()).resolves.toBe(1);
    await expect(noSideScroll(lead.page)).resolves.toBe(true);
    lead.assertClean();
    const [file] = (await call('get', 'lead', `/instances/${id}/attachments`)).body.items;
    await send('lead', id, 'submit', { attachments: [{ name: file.name, sha256: file.sha256 }] });

    const region = await phone('region');
    await expect(region.page.textContent('[data-count=todo]')).resolves.toBe('1');
    await expect(noSideScroll(region.page)).resolves.toBe(true);
    // The card reads as the definition's summary line says, lists joined as people write them.
    await expect(region.page.textContent('#todo .task-title')).resolves.toBe(`${PROJECT} 2026-03 稳定期 剔除申请 — 已与我司产生诉讼关系的业主`);
    await region.page.click('#todo .task-title');
    await expect(region.page.textContent('[data-test=state]')).resolves.toBe('区域平台研判');
    const [download] = await Promise.all([region.page.waitForEvent('download'), region.page.click('a:has-text("受理通知书.pdf")')]);
    expect(download.suggestedFilename()).toBe('受理通知书.pdf');
    await expect(region.page.locator('form[data-event=approve] button[type=submit]').textContent()).resolves.toBe('研判通过');
    await expect(region.page.locator('form[data-event=decline] button[type=submit]').textContent()).resolves.toBe('驳回');
    await region.page.fill('form[data-event=approve] [name="f.opinion"]', '诉讼属实');
    await expect(noSideScroll(region.page)).resolves.toBe(true);
    await Promise.all([region.page.waitForURL(/done=event/), region.page.click('form[data-event=approve] button[type=submit]')]);
    await expect(region.page.textContent('[data-test=state]')).resolves.not.toBe('区域平台研判');
    expect(dialogs).toContain('确定要「研判通过」吗？提交后将记入审计，不能撤回。');
    const timeline = await region.page.textContent('[data-test=timeline]');
    expect(timeline).toContain('研判通过');
    expect(timeline).toContain('诉讼属实');
    await region.page.screenshot({ path: '/tmp/wf-exclusion-390.png', fullPage: true });
    region.assertClean();
    await lead.context.close();
    await region.context.close();
  }, 90_000);
});
