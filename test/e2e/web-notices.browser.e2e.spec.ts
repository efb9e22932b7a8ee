/**
 * 通知 and 催办 in the 工作台 (issue 13), in headless Chromium over real HTTP: the clerk who
 * registered a repair opens it and presses 催办 (then sees when the next is possible); the
 * engineer opens 通知 from the navigation on a 390 px phone and sees the reminder, naming the case
 * and who reminded, and the notice board's notice (a value written as a script shows as text),
 * opening its document. Every page fails the test on a console error (`assertClean`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DRIVERS } from '../support/databases';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { PASSWORD, startHarness, type Harness } from '../support/http-harness';

const REPAIR = readFileSync(join(__dirname, '../fixtures/reminder/repair.yaml'), 'utf8');
const NAMES: Record<string, string> = { clerk: '陈客服', wang: '王师傅' };
const SCRIPT = '<script>alert(1)</script>停水';

describeBrowser.each(DRIVERS)('通知 and 催办 in the 工作台 on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let caseId = '';

  beforeAll(async () => {
    h = await startHarness(driver);
    const po = await h.user('po', ['process_owner']);
    await h.http.post('/definitions').set('Authorization', `Bearer ${po}`).set('Content-Type', 'application/yaml').send(REPAIR).expect(201);
    for (const [username, roles] of [
      ['clerk', ['clerk']],
      ['wang', ['engineer']],
    ] as [string, string[]][]) {
      await h.engine.auth.addUser({ username, password: PASSWORD, roles, displayName: NAMES[username] });
    }
    const token = async (username: string) => (await h.http.post('/auth/token').send({ username, password: PASSWORD }).expect(200)).body.token as string;
    const clerk = await token('clerk');
    caseId = (
      await h.http
        .post('/instances')
        .set('Authorization', `Bearer ${clerk}`)
        .send({ definition: 'repair', businessKey: 'BX-200', context: { unit: '3栋502', content: '电梯异响' } })
        .expect(201)
    ).body.id;
    // An engineer posts a notice on the board (its title written as a script).
    await h.http
      .post(`/instances/${caseId}/events`)
      .set('Authorization', `Bearer ${await token('wang')}`)
      .send({ type: 'announce', payload: { note: SCRIPT } })
      .expect(200);
    browser = await launchBrowser();
  }, 60_000);

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
    await watched.page.goto(`${h.baseUrl}/app`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    return watched;
  }
  const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

  it('the starter presses 催办 on the case page; the engineer sees it and the notice in 通知 on a phone', async () => {
    for (let i = 0; i < 5; i++) await h.engine.runDueWork();

    const clerk = await signedIn('clerk');
    await clerk.page.goto(`${h.baseUrl}/app/cases/${caseId}`);
    await expect(clerk.page.textContent('[data-test=reminder]')).resolves.toContain('将提醒维修工尽快办理当前步骤');
    await Promise.all([clerk.page.waitForURL(/done=remind/), clerk.page.click('[data-test=remind]')]);
    await expect(clerk.page.textContent('[role=status]')).resolves.toBe('已催办，办理人会在“通知”中看到。');
    await expect(clerk.page.textContent('[data-test=remind-later]')).resolves.toMatch(/^您已于.+催办过，2小时内只能催办一次，请于.+之后再催办。$/);
    await expect(clerk.page.locator('[data-test=remind]').count()).resolves.toBe(0);
    await expect(clerk.page.textContent('[data-test=timeline]')).resolves.toContain('催办');
    await clerk.page.screenshot({ path: '/tmp/wf-remind-case.png', fullPage: true });
    clerk.assertClean();

    const wang = await signedIn('wang', { width: 390, height: 844 });
    await Promise.all([wang.page.waitForURL(`${h.baseUrl}/app/notices`), wang.page.click('nav >> text=通知')]);
    await expect(wang.page.getAttribute('nav a[href="/app/notices"]', 'aria-current')).resolves.toBeTruthy();
    const items = wang.page.locator('[data-test=inbox-item]');
    await expect(items.first().textContent()).resolves.toContain('【催办】陈客服催办“报修单 BX-200”（维修中），请维修工尽快办理。');
    await expect(items.first().locator('a').textContent()).resolves.toBe('报修单 BX-200');
    const board = wang.page.locator('[data-test=board-item] a');
    await expect(board.first().textContent()).resolves.toBe(SCRIPT);
    await expect(wang.page.locator('[data-test=board] script').count()).resolves.toBe(0);
    await expect(noSideScroll(wang.page)).resolves.toBe(true);
    await wang.page.screenshot({ path: '/tmp/wf-notices-phone.png', fullPage: true });
    const href = await board.first().getAttribute('href');
    const doc = await wang.page.context().request.get(`${h.baseUrl}${href}`);
    expect(doc.status()).toBe(200);
    wang.assertClean();
  });
});
