/**
 * Documents, timers, outbox, inbox and notice board over real HTTP (SQLite and PostgreSQL).
 */
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/engine');

describe.each(DRIVERS)('documents and notices API on %s', (driver) => {
  let h: Harness;
  let clerk: string;
  let head: string;
  let auditor: string;
  let outsider: string;
  const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    h = await startHarness(driver, {
      clock,
      env: { WF_DEFINITIONS_DIR: join(FIXTURES, 'definitions'), WF_TEMPLATES_DIR: join(FIXTURES, 'templates'), WF_TOKEN_TTL_MINUTES: '10080' },
    });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    clerk = await h.user('clerk1', ['clerk']);
    head = await h.user('head1', ['head']);
    auditor = await h.user('audrey', ['auditor']);
    outsider = await h.user('olga', ['gardener']);
  });
  afterAll(() => h.close());

  it('shows the documents, timers and outbox a transition produced, and serves a document as escaped, printable HTML', async () => {
    const created = await h.http
      .post('/instances')
      .set(auth(clerk))
      .send({ definition: 'ticket', businessKey: 'H-1', context: { title: '<b>漏水</b>', requester: '李雷', email: 'li@example.com' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const timers = await h.http.get(`/instances/${id}/timers`).set(auth(clerk));
    expect(timers.body.items.map((t: { eventType: string; status: string }) => `${t.eventType}:${t.status}`).sort()).toEqual([
      'overdue:pending',
      'remindToday:pending',
    ]);
    await h.http
      .post(`/instances/${id}/events`)
      .set(auth(head))
      .send({ type: 'reply', payload: { answer: '已修复' } })
      .expect(200);

    const docs = await h.http.get(`/instances/${id}/documents`).set(auth(clerk));
    expect(docs.body.items.map((d: { template: string }) => d.template).sort()).toEqual(['ticket-mail', 'ticket-slip']);
    const slip = docs.body.items.find((d: { template: string }) => d.template === 'ticket-slip');
    const html = await h.http.get(`/documents/${slip.id}`).set(auth(clerk));
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.text).toContain('&lt;b&gt;漏水&lt;/b&gt;');
    expect(html.text).toContain('@page { size: A4');
    expect(html.text).toContain('李*');
    const hidden = await h.http.get(`/documents/${slip.id}`).set(auth(outsider));
    expect(hidden.status).toBe(403);

    const outbox = await h.http.get(`/instances/${id}/outbox`).set(auth(clerk));
    expect(outbox.body.items).toEqual([expect.objectContaining({ kind: 'email', status: 'pending', attempts: 0 })]);
    await h.engine.runDueWork();
    const after = await h.http.get(`/instances/${id}/outbox`).set(auth(clerk));
    // The embedded default writes mail to files under the data folder and counts it delivered.
    expect(after.body.items[0]).toMatchObject({ status: 'delivered', result: { transport: 'file' } });
    const all = await h.http.get('/outbox?status=delivered').set(auth(auditor));
    expect(all.body.items.map((m: { id: string }) => m.id)).toContain(after.body.items[0].id);
    expect((await h.http.get('/outbox').set(auth(clerk))).status).toBe(403);

    await h.http.post(`/instances/${id}/events`).set(auth(clerk)).send({ type: 'publish' }).expect(200);
    await h.engine.runDueWork();
    const notices = await h.http.get('/notices').set(auth(outsider));
    expect(notices.body.items).toEqual([expect.objectContaining({ instanceId: id, title: '工单公告' })]);
  });

  it("lists the caller's inbox by role", async () => {
    await h.http
      .post('/instances')
      .set(auth(clerk))
      .send({ definition: 'ticket', businessKey: 'H-2', context: { title: 't', requester: 'r' } })
      .expect(201);
    clock.set('2026-02-13T10:00:00.000Z');
    await h.engine.runDueWork();
    const inbox = await h.http.get('/inbox').set(auth(clerk));
    expect(inbox.body.items.map((i: { message: string }) => i.message)).toContain('今日请联系申请人');
    const none = await h.http.get('/inbox').set(auth(head));
    expect(none.body.items.map((i: { message: string }) => i.message)).not.toContain('今日请联系申请人');
  });

  it('previews a template with a given context without storing anything', async () => {
    const res = await h.http
      .post('/templates/ticket-notice/preview')
      .set(auth(clerk))
      .send({ context: { title: '<i>停水</i>', businessKey: 'P-1' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('&lt;i&gt;停水&lt;/i&gt;');
    const missing = await h.http.post('/templates/nope/preview').set(auth(clerk)).send({ context: {} });
    expect(missing.status).toBe(404);
    const names = await h.http.get('/templates').set(auth(clerk));
    expect(names.body.items).toEqual(expect.arrayContaining(['ticket-mail', 'ticket-notice', 'ticket-slip']));
  });
});
