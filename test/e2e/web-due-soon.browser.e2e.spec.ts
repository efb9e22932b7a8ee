/**
 * Deadline badges and the 即将超时 queue in the 工作台 (issue 13), in headless Chromium over real
 * HTTP with the clock set by hand: a definition uploaded in the test says `dueSoon: 3 working
 * days`, so a case with three working days left is yellow (with the built-in one working day it
 * would be green); a case waiting in its holding state (`suspend:`) shows grey 已暂停 with that
 * state's title; the supervisor (`assignment.reassignBy`) sees the yellow case in 即将超时 with its
 * holder, a clerk sees no such section. Every page fails the test on a console error.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { PASSWORD, startHarness, type Harness } from '../support/http-harness';

const DEFINITION = `
key: upkeep
title: 报修<跟进>
dueSoon: 3 working days
summary: '{unit} {content}'
roles:
  clerk: { title: 客服 }
  supervisor: { title: 客服主管 }
start: { roles: [clerk] }
assignment: { reassignBy: [supervisor] }
context:
  type: object
  required: [unit, content]
  properties:
    unit: { type: string, title: 房号 }
    content: { type: string, title: 内容 }
initial: handling
states:
  handling:
    title: 处理中
    deadlines:
      - after: 3 working days
        send: overdue
        suspend: { in: [held], resume: remaining }
    on:
      hold: { roles: [clerk], target: held, title: 暂停 }
      overdue: { roles: [system], title: 超时 }
      finish: { roles: [clerk], target: done, title: 办结 }
  held:
    title: 等待业主补充材料
    on:
      back: { roles: [clerk], target: handling, title: 恢复 }
  done: { type: final, title: 已办结 }
`;

describeBrowser.each(DRIVERS)('due-soon badges and the 即将超时 queue on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  // Monday 2026-03-02 10:00 in Shanghai: 3 working days later is Thursday 18:00.
  const clock = new ManualClock(new Date('2026-03-02T02:00:00.000Z'));
  const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.auth.addUser({ username: 'po', password: PASSWORD, roles: ['process_owner'] });
    await h.engine.auth.addUser({ username: 'boss', password: PASSWORD, roles: ['supervisor'], displayName: '赵主管' });
    await h.engine.auth.addUser({ username: 'clerk', password: PASSWORD, roles: ['clerk'], displayName: '陈客服' });
    const token = async (u: string) => (await h.http.post('/auth/token').send({ username: u, password: PASSWORD }).expect(200)).body.token as string;
    await h.http
      .post('/definitions')
      .set('Authorization', `Bearer ${await token('po')}`)
      .set('Content-Type', 'application/yaml')
      .send(DEFINITION)
      .expect(201);
    const clerk = await token('clerk');
    const open = async (businessKey: string, unit: string, content: string) =>
      (
        await h.http
          .post('/instances')
          .set('Authorization', `Bearer ${clerk}`)
          .send({ definition: 'upkeep', businessKey, context: { unit, content } })
          .expect(201)
      ).body.id as string;
    await open('BX-1', '3栋502', '电梯异响');
    const paused = await open('BX-2', '5栋101', '<b>漏水</b>');
    await h.http.post(`/instances/${paused}/events`).set('Authorization', `Bearer ${clerk}`).send({ type: 'hold' }).expect(200);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await h?.close();
  });

  async function signedIn(username: string, width = 1280) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
    contexts.push(context);
    const watched = await watchedPage(context);
    await watched.page.goto(`${h.baseUrl}/app`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    return watched;
  }

  it("a clerk's cards: yellow at the owner's threshold, grey 已暂停 with the holding state; no 即将超时 section", async () => {
    const clerk = await signedIn('clerk', 390);
    const page = clerk.page;
    const yellow = page.locator('#mine .card', { hasText: '3栋502 电梯异响' }).locator('[data-test=deadline-badge]');
    await expect(yellow.getAttribute('class')).resolves.toContain('yellow');
    await expect(yellow.textContent()).resolves.toBe('剩 3 个工作日');
    const grey = page.locator('#mine .card', { hasText: '5栋101 <b>漏水</b>' }).locator('[data-test=deadline-badge]');
    await expect(grey.getAttribute('class')).resolves.toContain('grey');
    await expect(grey.textContent()).resolves.toBe('已暂停：等待业主补充材料');
    await expect(page.locator('#due-soon').count()).resolves.toBe(0);
    await expect(page.locator('[data-count="due-soon"]').count()).resolves.toBe(0);
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-due-soon-clerk-390.png', fullPage: true });

    // The case page's deadline list says the same.
    await page.locator('#mine .card a.task-title', { hasText: '漏水' }).click();
    await expect(page.locator('[data-test=deadline-badge]').first().textContent()).resolves.toBe('已暂停：等待业主补充材料');
    clerk.assertClean();
  });

  it('the supervisor sees the yellow case in 即将超时 with its holder, not the paused one', async () => {
    const boss = await signedIn('boss', 390);
    const page = boss.page;
    await expect(page.textContent('[data-count="due-soon"]')).resolves.toBe('1');
    const cards = page.locator('#due-soon .card');
    await expect(cards.count()).resolves.toBe(1);
    await expect(cards.first().textContent()).resolves.toContain('3栋502 电梯异响');
    await expect(cards.first().locator('[data-test=holder]').textContent()).resolves.toBe('办理人：未认领');
    await expect(cards.first().locator('[data-test=deadline-badge]').getAttribute('class')).resolves.toContain('yellow');
    await expect(noSideScroll(page)).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/wf-due-soon-boss-390.png', fullPage: true });
    boss.assertClean();
  });
});
