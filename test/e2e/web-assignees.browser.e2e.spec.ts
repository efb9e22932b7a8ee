/**
 * People as assignees in the 工作台 (issue 13), in headless Chromium over real HTTP: a
 * supervisor finds a repair step in 待认领, claims it, and transfers it to a named colleague,
 * who sees it in 待办 as theirs and records progress, which copies the case (`cc:`) to the clerk who
 * registered it: she sees it in 抄送我的 as unread until she opens it; a colleague holding the same
 * role is refused the step by name.
 * Every page fails the test on a console error (`assertClean`). Screenshots go to /tmp.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { DRIVERS } from '../support/databases';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { PASSWORD, startHarness, type Harness } from '../support/http-harness';

const REPAIR = readFileSync(join(__dirname, '../fixtures/assignment/repair.yaml'), 'utf8');
const NAMES: Record<string, string> = { boss: '赵主管', li: '李师傅', wang: '王师傅', clerk: '陈客服' };

describeBrowser.each(DRIVERS)('claim, transfer and 抄送 in the 工作台 on %s', (driver) => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let caseId = '';

  beforeAll(async () => {
    h = await startHarness(driver);
    await h.engine.auth.addUser({ username: 'po', password: PASSWORD, roles: ['process_owner'] });
    for (const [username, roles] of [
      ['boss', ['eng_supervisor']],
      ['li', ['engineer']],
      ['wang', ['engineer']],
      ['clerk', ['clerk']],
    ] as [string, string[]][]) {
      await h.engine.auth.addUser({ username, password: PASSWORD, roles, displayName: NAMES[username] });
    }
    const token = (await h.http.post('/auth/token').send({ username: 'po', password: PASSWORD }).expect(200)).body.token as string;
    await h.http.post('/definitions').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/yaml').send(REPAIR).expect(201);
    const clerk = (await h.http.post('/auth/token').send({ username: 'clerk', password: PASSWORD }).expect(200)).body.token as string;
    caseId = (
      await h.http
        .post('/instances')
        .set('Authorization', `Bearer ${clerk}`)
        .send({ definition: 'repair', businessKey: 'BX-100', context: { unit: '3栋502', content: '电梯异响' } })
        .expect(201)
    ).body.id;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await h?.close();
  });

  async function signedIn(username: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    contexts.push(context);
    const watched = await watchedPage(context);
    watched.page.on('dialog', (dialog) => void dialog.accept());
    await watched.page.goto(`${h.baseUrl}/app`);
    await watched.page.fill('#username', username);
    await watched.page.fill('#password', PASSWORD);
    await Promise.all([watched.page.waitForURL(`${h.baseUrl}/app`), watched.page.click('button[type=submit]')]);
    await expect(watched.page.textContent('[data-test=user]')).resolves.toBe(NAMES[username] ?? username);
    return watched;
  }

  it('a supervisor claims a step from 待认领 and transfers it to a named colleague, who sees it in 待办; another is refused by name', async () => {
    const boss = await signedIn('boss');
    await expect(boss.page.textContent('[data-count=claim]')).resolves.toBe('1');
    const card = boss.page.locator('#claim .card', { hasText: '3栋502 电梯异响' });
    await expect(card.count()).resolves.toBe(1);
    await boss.page.screenshot({ path: '/tmp/wf-assign-home-boss.png', fullPage: true });
    await Promise.all([boss.page.waitForURL(/\/app(#todo)?$/), card.locator('[data-test=claim]').click()]);
    await expect(boss.page.textContent('[data-count=claim]')).resolves.toBe('0');
    await expect(boss.page.textContent('#todo [data-test=holder]')).resolves.toBe('办理人：赵主管（我）');

    await boss.page.goto(`${h.baseUrl}/app/cases/${caseId}`);
    await expect(boss.page.textContent('[data-test=assignee]')).resolves.toContain('由 赵主管 认领办理');
    await boss.page.selectOption('#transfer-to', 'li');
    await Promise.all([boss.page.waitForURL(/done=transfer/), boss.page.click('[data-test=transfer]')]);
    await expect(boss.page.textContent('[data-test=assignee]')).resolves.toContain('由 李师傅 认领办理');
    const timeline = await boss.page.textContent('[data-test=timeline]');
    expect(timeline).toContain('认领');
    expect(timeline).toContain('转交');
    expect(timeline).toContain('李师傅');
    await boss.page.screenshot({ path: '/tmp/wf-assign-case-boss.png', fullPage: true });
    boss.assertClean();

    const li = await signedIn('li');
    await expect(li.page.textContent('[data-count=todo]')).resolves.toBe('1');
    await expect(li.page.textContent('#todo .card')).resolves.toContain('3栋502 电梯异响');
    await expect(li.page.textContent('#todo [data-test=holder]')).resolves.toBe('办理人：李师傅（我）');
    await expect(li.page.textContent('[data-count=claim]')).resolves.toBe('0');
    await li.page.screenshot({ path: '/tmp/wf-assign-home-li.png', fullPage: true });
    // The holder records progress: the step copies it to the clerk who registered it (and the supervisors).
    await li.page.click('#todo .card a.task-title');
    await li.page.fill('form[data-event=addNote] [name="f.note"]', '已更换导轨');
    await Promise.all([li.page.waitForURL(/done=event/), li.page.click('form[data-event=addNote] button[type=submit]')]);
    li.assertClean();

    // A colleague with the same role no longer has it in 待办, and is refused the step with the holder's name.
    const wang = await signedIn('wang');
    await expect(wang.page.textContent('[data-count=todo]')).resolves.toBe('0');
    await wang.page.goto(`${h.baseUrl}/app/cases/${caseId}`);
    await wang.page.fill('form[data-event=addNote] [name="f.note"]', '我来看看');
    await Promise.all([wang.page.waitForLoadState('load'), wang.page.click('form[data-event=addNote] button[type=submit]')]);
    await expect(wang.page.textContent('form[data-event=addNote] [data-test=refusal]')).resolves.toBe(
      '此步骤已由李师傅认领办理，其他人暂不能办理。如需接手，请联系李师傅转交，或请工程主管改派。',
    );
    await wang.page.screenshot({ path: '/tmp/wf-assign-refused.png', fullPage: true });
    wang.assertClean();

    // The copied clerk sees it in 抄送我的, unread until she opens the case.
    const clerk = await signedIn('clerk');
    await expect(clerk.page.textContent('[data-count=cc]')).resolves.toBe('1');
    const copy = clerk.page.locator('#cc .card', { hasText: '3栋502 电梯异响' });
    await expect(copy.locator('[data-test=unread]').textContent()).resolves.toBe('未读');
    await expect(copy.locator('[data-test=copy]').textContent()).resolves.toContain('李师傅 抄送：已更换导轨');
    await clerk.page.screenshot({ path: '/tmp/wf-assign-cc-unread.png', fullPage: true });
    await Promise.all([clerk.page.waitForURL(/\/app\/cases\//), copy.locator('a.task-title').click()]);
    await clerk.page.click('nav >> text=我的待办');
    await expect(clerk.page.textContent('[data-count=cc]')).resolves.toBe('0');
    await expect(clerk.page.locator('#cc [data-test=read]').textContent()).resolves.toBe('已读');
    await expect(clerk.page.locator('#cc [data-test=unread]').count()).resolves.toBe(0);
    await clerk.page.screenshot({ path: '/tmp/wf-assign-cc-read.png', fullPage: true });
    clerk.assertClean();
    // The supervisor's copy is still unread: the receipt is per person.
    await boss.page.goto(`${h.baseUrl}/app`);
    await expect(boss.page.textContent('[data-count=cc]')).resolves.toBe('1');
    // Claiming and handing a step on is not taking it: nothing in the supervisor's 已办.
    await expect(boss.page.textContent('[data-count=done]')).resolves.toBe('0');
    boss.assertClean();
  }, 120_000);
});
