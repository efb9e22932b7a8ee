/**
 * The engine core end to end over real HTTP, on SQLite and (when reachable) PostgreSQL:
 * upload, start, events, authorization, payload errors, idempotency, concurrency, audit chain.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';

const LEAVE = readFileSync(join(REPO_ROOT, 'test/fixtures/engine/definitions/leave-approval.yaml'), 'utf8');

describe.each(DRIVERS)('engine API on %s', (driver) => {
  let h: Harness;
  let owner: string;
  let alice: string;
  let bob: string;
  let auditor: string;

  beforeAll(async () => {
    h = await startHarness(driver);
    owner = await h.user('owner', ['process_owner']);
    alice = await h.user('alice', ['applicant']);
    bob = await h.user('bob', ['approver']);
    auditor = await h.user('audrey', ['auditor']);
    const res = await h.http.post('/definitions').set('Authorization', `Bearer ${owner}`).set('Content-Type', 'application/yaml').send(LEAVE);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'leave-approval', version: 1, created: true });
  });
  afterAll(() => h.close());

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  async function start(businessKey: string, context: Record<string, unknown> = { applicantName: '张三' }) {
    const res = await h.http.post('/instances').set(auth(alice)).send({ definition: 'leave-approval', businessKey, context });
    expect(res.status).toBe(201);
    return res.body as { id: string; state: string; version: number; context: Record<string, unknown> };
  }
  const send = (token: string, id: string, body: Record<string, unknown>) => h.http.post(`/instances/${id}/events`).set(auth(token)).send(body);

  it('refuses every endpoint without a valid token, with one error shape', async () => {
    for (const [method, path] of [
      ['get', '/definitions'],
      ['get', '/instances'],
      ['post', '/instances'],
      ['get', '/audit/verify'],
    ] as const) {
      const res = await h.http[method](path);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        code: 'UNAUTHENTICATED',
        message: expect.stringContaining('bearer token'),
        userMessage: '尚未登录或登录已失效，请重新登录。',
      });
    }
    const bad = await h.http.get('/definitions').set(auth('not-a-token'));
    expect(bad.status).toBe(401);
    const wrong = await h.http.post('/auth/token').send({ username: 'alice', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('UNAUTHENTICATED');
  });

  it('uploading the same text again is idempotent; only process owners may upload', async () => {
    const again = await h.http.post('/definitions').set(auth(owner)).set('Content-Type', 'application/yaml').send(LEAVE);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ key: 'leave-approval', version: 1, created: false });
    const denied = await h.http.post('/definitions').set(auth(alice)).set('Content-Type', 'application/yaml').send(LEAVE);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
  });

  it('rejects a broken definition with positioned errors and stores nothing', async () => {
    const broken = LEAVE.replace('target: approved', 'target: aproved').replace(
      'roles: [approver]\n            target: draft',
      'roles: [boss]\n            target: draft',
    );
    const res = await h.http.post('/definitions?file=leave.yaml').set(auth(owner)).set('Content-Type', 'application/yaml').send(broken);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DEFINITION_INVALID');
    expect(res.body.errors.length).toBeGreaterThanOrEqual(2);
    const target = res.body.errors.find((e: { message: string }) => e.message.includes('aproved'));
    expect(target).toMatchObject({ file: 'leave.yaml', line: expect.any(Number), column: expect.any(Number) });
    expect(target.line).toBe(LEAVE.split('\n').findIndex((l) => l.includes('target: approved')) + 1);
    const list = await h.http.get('/definitions/leave-approval').set(auth(owner));
    expect(list.body.versions).toHaveLength(1);
    const validate = await h.http.post('/definitions/validate').set(auth(alice)).set('Content-Type', 'application/yaml').send('key: [unclosed');
    expect(validate.status).toBe(422);
    expect(validate.body.errors[0]).toMatchObject({ line: 1 });
  });

  it('runs an instance through its states and reports what each actor may send', async () => {
    const inst = await start('LEAVE-1');
    expect(inst).toMatchObject({ state: 'draft', version: 1, context: { applicantName: '张三', days: 0 } });
    const submitted = await send(alice, inst.id, { type: 'submit', payload: { days: 3, reason: '探亲' } });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ state: 'pending', version: 2, context: { days: 3 } });

    const forBob = await h.http.get(`/instances/${inst.id}/events/available`).set(auth(bob));
    expect(forBob.body.items.map((e: { type: string }) => e.type).sort()).toEqual(['approve', 'comment', 'sendBack']);
    const forAlice = await h.http.get(`/instances/${inst.id}/events/available`).set(auth(alice));
    expect(forAlice.body.items.map((e: { type: string }) => e.type).sort()).toEqual(['comment', 'withdraw']);

    const approved = await send(bob, inst.id, { type: 'approve' });
    expect(approved.body).toMatchObject({ state: 'approved', status: 'completed', context: { approvedBy: 'bob' } });
    const after = await send(bob, inst.id, { type: 'comment' });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('INSTANCE_COMPLETED');

    const audit = await h.http.get(`/instances/${inst.id}/audit`).set(auth(auditor));
    expect(
      audit.body.items.map((e: { eventType: string; fromState: string | null; toState: string; actor: string }) => [
        e.eventType,
        e.fromState,
        e.toState,
        e.actor,
      ]),
    ).toEqual([
      ['$start', null, 'draft', 'alice'],
      ['submit', 'draft', 'pending', 'alice'],
      ['approve', 'pending', 'approved', 'bob'],
    ]);
    expect(audit.body.items[1]).toMatchObject({ seq: 2, payload: { days: 3, reason: '探亲' }, actorRoles: ['applicant'] });
    expect(audit.body.items[1].prevHash).toBe(audit.body.items[0].hash);
  });

  it('answers 403 for a role the YAML does not allow, 409 for an event not accepted now, 422 with JSON paths for a bad payload; nothing changes', async () => {
    const inst = await start('LEAVE-2');
    const forbidden = await send(bob, inst.id, { type: 'submit', payload: { days: 1 } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const notNow = await send(bob, inst.id, { type: 'approve' });
    expect(notNow.status).toBe(409);
    expect(notNow.body.code).toBe('EVENT_NOT_ACCEPTED');
    const badPayload = await send(alice, inst.id, { type: 'submit', payload: { days: 0, extra: true } });
    expect(badPayload.status).toBe(422);
    expect(badPayload.body.code).toBe('PAYLOAD_INVALID');
    const paths = badPayload.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['$.days', '$.extra']);
    const badBody = await h.http.post(`/instances/${inst.id}/events`).set(auth(alice)).send({ typ: 'submit' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['$.typ', '$.type']);
    const unknown = await send(alice, '00000000-0000-0000-0000-000000000000', { type: 'submit', payload: { days: 1 } });
    expect(unknown.status).toBe(404);
    const same = await h.http.get(`/instances/${inst.id}`).set(auth(alice));
    expect(same.body).toMatchObject({ state: 'draft', version: 1 });
    const audit = await h.http.get(`/instances/${inst.id}/audit`).set(auth(alice));
    expect(audit.body.items).toHaveLength(1);
  });

  it('takes guarded branches in order and validates the start context', async () => {
    const inst = await start('LEAVE-3');
    const tooLong = await send(alice, inst.id, { type: 'submit', payload: { days: 11 } });
    expect(tooLong.body).toMatchObject({ state: 'rejected', status: 'completed', context: { rejectReason: '超过最长天数' } });
    const badContext = await h.http
      .post('/instances')
      .set(auth(alice))
      .send({ definition: 'leave-approval', businessKey: 'LEAVE-X', context: { applicantName: 5 } });
    expect(badContext.status).toBe(422);
    expect(badContext.body.code).toBe('CONTEXT_INVALID');
    expect(badContext.body.errors[0].path).toBe('$.applicantName');
    const dup = await h.http
      .post('/instances')
      .set(auth(alice))
      .send({ definition: 'leave-approval', businessKey: 'LEAVE-3', context: { applicantName: '李四' } });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('ALREADY_EXISTS');
    const notStarter = await h.http
      .post('/instances')
      .set(auth(bob))
      .send({ definition: 'leave-approval', businessKey: 'LEAVE-Y', context: { applicantName: '李四' } });
    expect(notStarter.status).toBe(403);
  });

  it('an idempotency key makes a retried request return the first result instead of applying twice', async () => {
    const inst = await start('LEAVE-4');
    await send(alice, inst.id, { type: 'submit', payload: { days: 2 } }).expect(200);
    const first = await send(alice, inst.id, { type: 'comment', idempotencyKey: 'c-1' });
    const retry = await send(alice, inst.id, { type: 'comment', idempotencyKey: 'c-1' });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body.context.comments).toBe(1);
    const reused = await send(alice, inst.id, { type: 'withdraw', idempotencyKey: 'c-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const now = await h.http.get(`/instances/${inst.id}`).set(auth(alice));
    expect(now.body).toMatchObject({ version: 3, context: { comments: 1 } });

    const createBody = { definition: 'leave-approval', businessKey: 'LEAVE-5', context: { applicantName: '王五' }, idempotencyKey: 'start-5' };
    const c1 = await h.http.post('/instances').set(auth(alice)).send(createBody);
    const c2 = await h.http.post('/instances').set(auth(alice)).send(createBody);
    expect(c1.status).toBe(201);
    expect(c2.status).toBe(201);
    expect(c2.body.id).toBe(c1.body.id);
  });

  it('concurrent events on one instance never both apply against the same version', async () => {
    const inst = await start('LEAVE-6');
    await send(alice, inst.id, { type: 'submit', payload: { days: 2 } }).expect(200);
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => send(i % 2 ? alice : bob, inst.id, { type: 'comment' })));
    const ok = results.filter((r) => r.status === 200);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok.length + conflicts.length).toBe(16);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const c of conflicts) expect(c.body.code).toBe('VERSION_CONFLICT');
    const versions = ok.map((r) => r.body.version);
    expect(new Set(versions).size).toBe(versions.length);
    const final = await h.http.get(`/instances/${inst.id}`).set(auth(alice));
    expect(final.body.context.comments).toBe(ok.length);
    expect(final.body.version).toBe(2 + ok.length);
    const audit = await h.http.get(`/instances/${inst.id}/audit`).set(auth(alice));
    expect(audit.body.items.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: 2 + ok.length }, (_, i) => i + 1));
  });

  it('lists instances with filters and paging, and hides them from users with no role in the process', async () => {
    const list = await h.http.get('/instances?definition=leave-approval&state=draft&limit=2').set(auth(alice));
    expect(list.status).toBe(200);
    expect(list.body.limit).toBe(2);
    expect(list.body.items.length).toBeLessThanOrEqual(2);
    for (const i of list.body.items) expect(i.state).toBe('draft');
    const outsider = await h.user('olga', ['gardener']);
    const hidden = await h.http.get('/instances').set(auth(outsider));
    expect(hidden.body).toMatchObject({ items: [], total: 0 });
    const one = await h.http.get(`/instances/${list.body.items[0].id}`).set(auth(outsider));
    expect(one.status).toBe(403);
    const badPage = await h.http.get('/instances?limit=-1').set(auth(alice));
    expect(badPage.status).toBe(400);
  });

  it('verifies the audit chain and names the first entry that was tampered with', async () => {
    const denied = await h.http.get('/audit/verify').set(auth(alice));
    expect(denied.status).toBe(403);
    const clean = await h.http.get('/audit/verify').set(auth(auditor));
    expect(clean.body).toMatchObject({ ok: true, broken: [] });
    expect(clean.body.entriesChecked).toBeGreaterThan(5);

    const inst = await start('LEAVE-7');
    await send(alice, inst.id, { type: 'submit', payload: { days: 4 } }).expect(200);
    await send(bob, inst.id, { type: 'approve' }).expect(200);
    await h.engine.db.transaction((tx) =>
      tx.run(`UPDATE audit_entries SET payload = $1 WHERE instance_id = $2 AND seq = 2`, [JSON.stringify({ days: 1 }), inst.id]),
    );
    const tampered = await h.http.get('/audit/verify').set(auth(auditor));
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.firstBroken).toMatchObject({ instanceId: inst.id, seq: 2 });
    expect(tampered.body.firstBroken.reason).toContain('changed');

    const inst2 = await start('LEAVE-8');
    await send(alice, inst2.id, { type: 'submit', payload: { days: 4 } }).expect(200);
    await h.engine.db.transaction((tx) => tx.run(`DELETE FROM audit_entries WHERE instance_id = $1 AND seq = 2`, [inst2.id]));
    const truncated = await h.http.get(`/audit/verify?instanceId=${inst2.id}`).set(auth(auditor));
    expect(truncated.body).toMatchObject({ ok: false, firstBroken: { instanceId: inst2.id, seq: 2 } });
  });

  it('serves the OpenAPI document and refuses oversized bodies', async () => {
    const doc = await h.http.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/auth/token', '/instances/{id}/events', '/audit/verify']));
    const huge = 'x'.repeat(h.engine.config.maxBodyBytes + 10);
    const res = await h.http.post('/definitions/validate').set(auth(owner)).set('Content-Type', 'application/yaml').send(huge);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
