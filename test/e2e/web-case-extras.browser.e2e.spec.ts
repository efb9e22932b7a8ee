/**
 * The case page's extras in headless Chromium over real HTTP (issue 13): a decision declared
 * with `opinion: required` shows a required textarea labelled 审批意见 and is refused without
 * one (the message next to the field); the written opinion shows on the time line (escaped);
 * the step bar shows the top-level states in order with the path taken and the current one;
 * related cases (a child case started by the decision) link both ways; the auditor searches
 * by date range and downloads a case's trail as XLSX and JSON. Every page test fails on a
 * console error (`assertClean`).
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addLocalDays } from '../../src/calendar/zoned-time.util';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { DRIVERS } from '../support/databases';
import { PASSWORD, startHarness, type Harness } from '../support/http-harness';

const XSS = '<script>alert(1)</script>';
const DISPLAY_NAMES: Record<string, string> = { boss: '张审批', clerk: '李经办', audit: '审计员甲' };

const FOLLOWUP_YAML = `key: opinion-followup
title: 维修回访
roles:
  clerk: { title: 经办人 }
start:
  roles: [clerk]
  from: [opinion-case]
context:
  type: object
  properties: {}
initial: visit
states:
  visit:
    title: 待回访
    on:
      close: { title: 回访完成, roles: [clerk], target: closed }
  closed:
    title: 已回访
    type: final
`;

const CASE_YAML = `key: opinion-case
title: 维修审批
roles:
  clerk: { title: 经办人 }
  approver: { title: 审批人 }
start:
  roles: [clerk]
context:
  type: object
  required: [item]
  properties:
    item: { type: string, title: 维修事项 }
initial: review
states:
  review:
    title: 部门审批
    on:
      approve:
        title: 同意
        roles: [approver]
        opinion: required
        target: execution
        actions:
          - start: { definition: opinion-followup, businessKey: FU-1 }
      decline:
        title: 驳回
        roles: [approver]
        opinion: required
        target: declined
  execution:
    title: 施工中
    on:
      finish: { title: 完工, roles: [clerk], target: done }
  done:
    title: 已完工
    type: final
  declined:
    title: 已驳回
    type: final
`;

describeBrowser.each(DRIVERS)('case page extras in the browser on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let caseId = '';

  beforeAll(async () => {
    h = await startHarness(driver);
    await h.engine.definitions.register(FOLLOWUP_YAML, 'opinion-followup.yaml', 'system');
    await h.engine.definitions.register(CASE_YAML, 'opinion-case.yaml', 'system');
    for (const [name, roles] of [
      ['boss', ['approver']],
      ['clerk', ['clerk']],
      ['audit', ['auditor']],
    ] as [string, string[]][]) {
      await h.engine.auth.addUser({ username: name, password: PASSWORD, roles, displayName: DISPLAY_NAMES[name] });
    }
    const created = await h.engine.transitions.create(
      { definition: 'opinion-case', businessKey: 'WX-1', context: { item: '3栋电梯异响' } },
      { id: 'clerk', roles: ['clerk'] },
    );
    caseId = created.instance.id;
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
    watched.page.on('dialog', (dialog) => void dialog.accept());
    await watched.page.goto(`${h.baseUrl}/app`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    return watched;
  }

  const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
  const stepBar = (page: Page) =>
    page.$$eval('[data-test=stepbar] li', (lis) => lis.map((li) => `${li.className}:${(li.textContent ?? '').replace(/^[✓\d]+/, '')}`));

  it('an approver must write 审批意见 on a 390 px phone; the opinion shows on the time line, the step bar moves on', async () => {
    const { page, assertClean } = await signedIn('boss', { width: 390, height: 844 });
    await page.goto(`${h.baseUrl}/app/cases/${caseId}`);
    await expect(stepBar(page)).resolves.toEqual(['current:部门审批', 'todo:施工中', 'todo:已完工', 'todo:已驳回']);
    const approve = page.locator('form[data-event=approve]');
    const opinion = approve.locator('textarea[name="f.opinion"]');
    await expect(opinion.getAttribute('required')).resolves.not.toBeNull();
    const id = await opinion.getAttribute('id');
    await expect(approve.locator(`label[for="${id}"]`).textContent()).resolves.toContain('审批意见');
    // Sent without an opinion (the form leaves checking to the server): refused, the message next to the field.
    await Promise.all([page.waitForLoadState('load'), approve.locator('button[type=submit]').click()]);
    await expect(page.locator('form[data-event=approve] [data-test=refusal]').textContent()).resolves.toBe(
      '「同意」需要填写「审批意见」（opinion）：请写明意见后重新提交。',
    );
    await expect(page.locator('form[data-event=approve] [data-field=opinion] .error').count()).resolves.toBeGreaterThan(0);
    await page.fill('form[data-event=approve] textarea[name="f.opinion"]', `同意维修，费用走维修基金 ${XSS}`);
    await Promise.all([page.waitForURL(/done=event/), page.click('form[data-event=approve] button[type=submit]')]);
    await expect(page.locator('[data-test=timeline] [data-test=opinion]').allTextContents()).resolves.toEqual([`审批意见：同意维修，费用走维修基金 ${XSS}`]);
    await expect(stepBar(page)).resolves.toEqual(['done:部门审批', 'current:施工中', 'todo:已完工', 'todo:已驳回']);
    await expect(page.locator('[data-test=stepbar] li.current').getAttribute('aria-current')).resolves.toBe('step');
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-case-extras-390.png', fullPage: true });
    assertClean();
  });

  it('related cases link both ways: the follow-up started by the decision, and back', async () => {
    for (let i = 0; i < 4; i += 1) await h.engine.runDueWork();
    const { page, assertClean } = await signedIn('clerk');
    await page.goto(`${h.baseUrl}/app/cases/${caseId}`);
    const related = page.locator('[data-test=related] li');
    await expect(related.allTextContents()).resolves.toEqual([expect.stringMatching(/由本案件发起.*维修回访.*FU-1.*待回访/s)]);
    await Promise.all([page.waitForURL(/\/app\/cases\//), related.locator('a').click()]);
    await expect(page.textContent('h1')).resolves.toBe('维修回访 FU-1');
    await expect(page.locator('[data-test=related] li').allTextContents()).resolves.toEqual([
      expect.stringMatching(/发起本案件的案件.*维修审批.*WX-1.*施工中/s),
    ]);
    await expect(stepBar(page)).resolves.toEqual(['current:待回访', 'todo:已回访']);
    await page.screenshot({ path: '/tmp/wf-case-related-1280.png', fullPage: true });
    await Promise.all([page.waitForURL(new RegExp(`/app/cases/${caseId}$`)), page.click('[data-test=related] a')]);
    assertClean();
  });

  it('an auditor searches by date range (local dates) and downloads a trail as XLSX and JSON, formulas neutralised', async () => {
    const declined = await h.engine.transitions.create(
      { definition: 'opinion-case', businessKey: 'WX-2', context: { item: '地库照明' } },
      { id: 'clerk', roles: ['clerk'] },
    );
    const formula = '=HYPERLINK("http://evil.example","点我")';
    await h.engine.transitions.send(declined.instance.id, { type: 'decline', payload: { opinion: formula } }, { id: 'boss', roles: ['approver'] });
    const today = h.engine.calendar.localDate(new Date());
    const { page, assertClean } = await signedIn('audit', { width: 390, height: 844 });
    const search = async (from: string, to: string) => {
      await page.goto(`${h.baseUrl}/app/audit`);
      await page.fill('#from', from);
      await page.fill('#to', to);
      await Promise.all([page.waitForURL(/\/app\/audit\?/), page.click('form.filters button[type=submit]')]);
      return page.locator('[data-test=results] .key').allTextContents();
    };
    await expect(search(today, today).then((keys) => keys.sort())).resolves.toEqual(['FU-1', 'WX-1', 'WX-2']);
    await expect(page.inputValue('#from')).resolves.toBe(today);
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-audit-dates-390.png', fullPage: true });
    const tomorrow = addLocalDays(today, 1);
    await expect(search(tomorrow, addLocalDays(today, 7))).resolves.toEqual([]);
    await expect(page.textContent('[data-test=total]')).resolves.toBe('共 0 件');
    await search(addLocalDays(today, -7), addLocalDays(today, -1));
    await expect(page.textContent('[data-test=total]')).resolves.toBe('共 0 件');
    await search(tomorrow, today);
    await expect(page.textContent('[data-test=date-error]')).resolves.toBe('起始日期不能晚于截止日期。');

    await search(today, today);
    const row = page.locator('[data-test=results] li', { hasText: 'WX-2' });
    const [xlsx] = await Promise.all([page.waitForEvent('download'), row.locator('a:has-text("XLSX")').click()]);
    expect(xlsx.suggestedFilename()).toBe('审计记录-WX-2.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsx.path()) as string);
    const sheet = workbook.getWorksheet('审计记录');
    expect(sheet).toBeDefined();
    const rows = (sheet!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
    expect(rows[0]).toEqual(expect.arrayContaining(['序号', '时间', '办理人', '步骤', '审批意见']));
    expect(rows.map((r) => [r[0], r[2], r[5], r[8], r[9]])).toEqual([
      ['序号', '办理人', '步骤', '新状态', '审批意见'],
      [1, '李经办', '发起', '部门审批', ''],
      [2, '张审批', '驳回', '已驳回', `'${formula}`],
    ]);
    const [json] = await Promise.all([page.waitForEvent('download'), row.locator('a:has-text("JSON")').click()]);
    expect(json.suggestedFilename()).toBe('审计记录-WX-2.json');
    const body = JSON.parse(readFileSync((await json.path()) as string, 'utf8'));
    expect(body.instance).toMatchObject({ businessKey: 'WX-2', definition: 'opinion-case', title: '维修审批', version: 1 });
    expect(body.items.map((e: { eventType: string; payload: unknown }) => [e.eventType, e.payload])).toEqual([
      ['$start', expect.anything()],
      ['decline', { opinion: formula }],
    ]);
    // The same downloads from the case page, with the session cookie only.
    await page.goto(`${h.baseUrl}/app/cases/${declined.instance.id}`);
    await expect(page.locator('[data-test=timeline] [data-test=opinion]').allTextContents()).resolves.toEqual([`审批意见：${formula}`]);
    const [fromCase] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=trail-exports] a:has-text("JSON")')]);
    expect(fromCase.suggestedFilename()).toBe('审计记录-WX-2.json');
    // Without a session there is no file.
    const anonymous = await fetch(`${h.baseUrl}/app/audit/cases/${declined.instance.id}/trail.json`, { redirect: 'manual' });
    expect(anonymous.status).not.toBe(200);
    assertClean();
  });
});
