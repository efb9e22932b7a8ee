/**
 * The 工作台's session and form protection over real HTTP on both databases (issue 13, 登录/退出):
 * the sign-in page's double-submit token, the HttpOnly SameSite=Lax cookie that lives as long
 * as the token, the cookie never authorising the API, CSRF refusal of a form without its token,
 * the lockout shown on the page, no open redirect after sign-in, sign-out ending the token,
 * expiry, and every value HTML-escaped on the case page.
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { PASSWORD, startHarness, type Harness } from '../support/http-harness';

const XSS = '<script>alert(1)</script>';

describe.each(DRIVERS)('工作台 sessions and CSRF on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-12-01T09:00:00+08:00'));

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    await h.engine.auth.addUser({ username: 'wang', password: PASSWORD, roles: ['cs_assistant'] });
    await h.engine.auth.addUser({ username: 'locked', password: PASSWORD, roles: ['cs_assistant'] });
  });
  afterAll(() => h?.close());

  const cookieValue = (setCookie: string[] | undefined, name: string) =>
    (setCookie ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);

  async function loginForm() {
    const page = await h.http.get('/app/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const cookie = cookieValue(page.headers['set-cookie'] as unknown as string[], 'wf_login_csrf');
    expect(csrf && cookie).toBeTruthy();
    return { csrf: csrf!, cookie: cookie! };
  }

  /** Signs in through the form; `status` is the answer expected (303 on success, 200 for the page again). */
  async function signIn(username = 'wang', password = PASSWORD, next?: string, status?: number) {
    const form = await loginForm();
    const res = await h.http
      .post('/app/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ _csrf: form.csrf, username, password, ...(next ? { next } : {}) });
    if (status !== undefined) expect(res.status).toBe(status);
    return res;
  }

  async function session() {
    const res = await signIn('wang', PASSWORD, undefined, 303);
    const cookie = cookieValue(res.headers['set-cookie'] as unknown as string[], 'wf_session')!;
    const home = await h.http.get('/app').set('Cookie', cookie).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1];
    return { cookie, csrf };
  }

  it('sends a browser without a session to 登录 and back to the page asked for', async () => {
    const res = await h.http.get('/app/cases/x?y=1').expect(303);
    expect(res.headers.location).toBe('/app/login?next=%2Fapp%2Fcases%2Fx%3Fy%3D1');
    await h.http.get('/').expect(302).expect('Location', '/app');
  });

  it('sets an HttpOnly, SameSite=Lax session cookie that expires with the token; the API ignores it', async () => {
    const res = await signIn('wang', PASSWORD, undefined, 303);
    expect(res.headers.location).toBe('/app');
    const set = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('wf_session=') && !c.startsWith('wf_session=;'))!;
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Lax/);
    expect(set).toMatch(/; Path=\//);
    expect(set).toContain(`Max-Age=${h.engine.config.tokenTtlMinutes * 60}`);
    const cookie = set.split(';')[0];
    // A cookie is not a bearer token: the API still needs Authorization.
    await h.http.get('/instances').set('Cookie', cookie).expect(401);
    await h.http.get('/app').set('Cookie', cookie).expect(200);
  });

  it('refuses a sign-in without the form token and follows only 工作台 paths after sign-in', async () => {
    const noToken = await h.http.post('/app/login').type('form').send({ username: 'wang', password: PASSWORD });
    expect(noToken.text).toContain('登录页已过期');
    expect(cookieValue(noToken.headers['set-cookie'] as unknown as string[], 'wf_session')).toBeUndefined();
    for (const next of ['//evil.example/app', 'https://evil.example/', '/app\\@evil', '/docs']) {
      expect((await signIn('wang', PASSWORD, next, 303)).headers.location).toBe('/app');
    }
    expect((await signIn('wang', PASSWORD, '/app/audit?x=1', 303)).headers.location).toBe('/app/audit?x=1');
  });

  it('shows wrong passwords and the lockout on the page', async () => {
    const wrong = await signIn('locked', 'wrong', undefined, 200);
    expect(wrong.text).toContain('用户名或密码不对');
    for (let i = 0; i < 9; i++) await signIn('locked', 'wrong');
    const locked = await signIn('locked', PASSWORD, undefined, 200);
    expect(locked.text).toContain('登录失败次数过多');
    expect(cookieValue(locked.headers['set-cookie'] as unknown as string[], 'wf_session')).toBeUndefined();
  });

  it('refuses a form POST without the session-bound token, and escapes every value on the page', async () => {
    const s = await session();
    const before = (await h.engine.instances.list({}, { id: 'wang', roles: ['cs_assistant'] })).total;
    const refused = await h.http.post('/app/new/complaint').set('Cookie', s.cookie).type('form').send({
      businessKey: 'TS-CSRF-1',
      'f.receivedAt': '2026-12-01T09:00',
      'f.complainant': 'a',
      'f.unit': 'b',
      'f.contact': 'c',
      'f.channel': '来访',
      'f.content': 'd',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('表单已过期');
    expect((await h.engine.instances.list({}, { id: 'wang', roles: ['cs_assistant'] })).total).toBe(before);

    const created = await h.http
      .post('/app/new/complaint')
      .set('Cookie', s.cookie)
      .type('form')
      .send({
        _csrf: s.csrf,
        businessKey: 'TS-XSS-1',
        'f.receivedAt': '2026-12-01T09:00',
        'f.complainant': XSS,
        'f.unit': XSS,
        'f.contact': 'c',
        'f.channel': '来访',
        'f.content': XSS,
      })
      .expect(303);
    const page = await h.http.get(created.headers.location).set('Cookie', s.cookie).expect(200);
    expect(page.text).not.toContain(XSS);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const instance = await h.engine.instances.byBusinessKey('complaint', 'TS-XSS-1');
    // The local time of the form, read in the calendar's zone.
    expect(instance?.context.receivedAt).toBe('2026-12-01T01:00:00.000Z');
  });

  it("shows a case by its definition's summary line, filled as the reader sees it", async () => {
    await h.engine.definitions.register(
      `key: web-repair
title: 报修
summary: '{unit} {content} — {department}'
roles: { cs_assistant: { title: 客服助理 } }
start: { roles: [cs_assistant] }
context:
  type: object
  properties:
    unit: { type: string }
    content: { type: string }
    department: { type: string }
initial: open
states:
  open:
    title: 待处理
    on:
      finish: { title: 办结, roles: [cs_assistant], target: done }
  done: { title: 已办结, type: final }
`,
      'web-repair.yaml',
      'system',
    );
    await h.engine.transitions.create(
      { definition: 'web-repair', businessKey: 'WR-1', context: { unit: '5栋101', content: '漏水', department: '工程部' } },
      { id: 'wang', roles: ['cs_assistant'] },
    );
    const s = await session();
    const home = await h.http.get('/app').set('Cookie', s.cookie).expect(200);
    expect(home.text).toContain('5栋101 漏水 — 工程部');
    expect(home.text).toContain('待处理');
    expect(home.text).not.toMatch(/>open</);
  });

  it('answers an unknown case, and a case the reader may not read, with the message for people', async () => {
    await h.engine.auth.addUser({ username: 'visitor', password: PASSWORD, roles: ['visitor'] });
    const s = await session();
    const missing = await h.http.get('/app/cases/no-such-case').set('Cookie', s.cookie).expect(404);
    expect(missing.text).toContain('没有找到');
    const id = (await h.engine.instances.byBusinessKey('complaint', 'TS-XSS-1'))!.id;
    const form = await loginForm();
    const visitor = await h.http
      .post('/app/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ _csrf: form.csrf, username: 'visitor', password: PASSWORD })
      .expect(303);
    const cookie = cookieValue(visitor.headers['set-cookie'] as unknown as string[], 'wf_session')!;
    const refused = await h.http.get(`/app/cases/${id}`).set('Cookie', cookie).expect(403);
    expect(refused.text).toContain('您没有进行此操作的权限');
    expect(refused.text).not.toContain('TS-XSS-1');
    await h.http.get(`/app/documents/x`).set('Cookie', cookie).expect(404);
  });

  it('ends the token at sign-out (only with the form token) and when the token expires', async () => {
    const s = await session();
    await h.http.post('/app/logout').set('Cookie', s.cookie).type('form').send({}).expect(403);
    await h.http.get('/app').set('Cookie', s.cookie).expect(200);
    const out = await h.http.post('/app/logout').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf }).expect(303);
    expect(out.headers.location).toBe('/app/login');
    await h.http.get('/app').set('Cookie', s.cookie).expect(303);

    const t = await session();
    clock.advance(h.engine.config.tokenTtlMinutes * 60_000 + 1000);
    await h.http.get('/app').set('Cookie', t.cookie).expect(303);
  });
});
