/**
 * Security issue item 9, what validates can be stored: on both databases, a definition or a
 * request whose text the database cannot store (a NUL byte, a key or title longer than its
 * column) is refused by validation with a 4xx naming the field (YAML line and column, or JSON
 * path), never a 500 from the database; `POST /definitions/validate` and the upload agree.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/main';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';

const LEAVE = readFileSync(join(REPO_ROOT, 'test/fixtures/engine/definitions/leave-approval.yaml'), 'utf8');

describe.each(DRIVERS)('input the database can store, on %s', (driver) => {
  let h: Harness;
  let owner: { Authorization: string };
  let alice: { Authorization: string };

  beforeAll(async () => {
    h = await startHarness(driver);
    owner = { Authorization: `Bearer ${await h.user('owner', ['process_owner'])}` };
    alice = { Authorization: `Bearer ${await h.user('alice', ['applicant'])}` };
    await h.http.post('/definitions').set(owner).set('Content-Type', 'application/yaml').send(LEAVE).expect(201);
  }, 60_000);
  afterAll(() => h.close());

  const upload = (text: string) => h.http.post('/definitions').set(owner).set('Content-Type', 'application/yaml').send(text);
  const validate = (text: string) => h.http.post('/definitions/validate').set(owner).set('Content-Type', 'application/yaml').send(text);

  it.each([
    ['a raw NUL byte in the title', LEAVE.replace('title: 请假审批', 'title: 请假\u0000审批'), { line: 3, column: 10 }, /control character U\+0000/],
    ['an escaped NUL in the title', LEAVE.replace('title: 请假审批', 'title: "请假\\0审批"'), { line: 3, path: 'title' }, /control character U\+0000/],
    ['a 101-character key', LEAVE.replace('key: leave-approval', `key: l${'a'.repeat(100)}`), { line: 2, path: 'key' }, /longer than 100 characters/],
    ['a 250-character title', LEAVE.replace('title: 请假审批', `title: ${'长'.repeat(250)}`), { line: 3, path: 'title' }, /longer than 200 characters/],
    ['a 101-character state name', LEAVE.replace(/\bdraft\b/g, `d${'r'.repeat(100)}`), { path: 'initial' }, /longer than 100 characters/],
  ])('refuses a definition with %s, at its line, in validate and upload alike', async (_, text, where, message) => {
    for (const res of [await validate(text), await upload(text)]) {
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('DEFINITION_INVALID');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ ...where, message: expect.stringMatching(message) })]));
    }
    const list = await h.http.get('/definitions').set(owner).expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  const start = (body: Record<string, unknown>) =>
    h.http
      .post('/instances')
      .set(alice)
      .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' }, ...body });

  it.each([
    ['a NUL in the business key', { businessKey: 'L-\u00001' }, '$.businessKey'],
    ['a NUL in the idempotency key', { idempotencyKey: 'k\u0000' }, '$.idempotencyKey'],
    ['a NUL in the definition key', { definition: 'leave\u0000' }, '$.definition'],
    ['a NUL in the context', { context: { applicantName: '张\u0000三' } }, '$.context.applicantName'],
    ['a NUL in a context key', { context: { applicantName: '张三', ['x\u0000']: 1 } }, '$.context["x\\u0000"]'],
  ])('refuses a start with %s: 400 naming the field', async (_, body, path) => {
    const res = await start(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect(res.body.errors).toEqual([expect.objectContaining({ path, message: expect.stringMatching(/control character/) })]);
  });

  it('refuses NUL in an event and in a sign-in, and stores the same input without it', async () => {
    const created = await start({ businessKey: 'L-ok', idempotencyKey: 'start-L-ok' }).expect(201);
    const id = created.body.id as string;
    const send = (body: Record<string, unknown>) => h.http.post(`/instances/${id}/events`).set(alice).send(body);
    for (const [body, path] of [
      [{ type: 'submit\u0000', payload: { days: 1 } }, '$.type'],
      [{ type: 'submit', payload: { days: 1, reason: 'a\u0000b' } }, '$.payload.reason'],
      [{ type: 'submit', payload: { days: 1 }, idempotencyKey: '\u0000' }, '$.idempotencyKey'],
    ] as const) {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    }
    await send({ type: 'submit', payload: { days: 1, reason: 'ab' }, idempotencyKey: 'k'.repeat(200) }).expect(200);
    const signIn = await h.http.post('/auth/token').send({ username: 'alice\u0000', password: 'x' });
    expect(signIn.status).toBe(400);
    expect(signIn.body.errors).toEqual([expect.objectContaining({ path: '$.username' })]);
  });

  it('refuses a business key a process service composes too long for its column, on both databases', async () => {
    const cs = { Authorization: `Bearer ${await h.user('cs', ['cs_supervisor'])}` };
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const res = await h.http
      .post('/survey/rounds')
      .set(cs)
      .send({ project: '项'.repeat(200), serviceCenter: 'S', batch: '2026-05', stage: '老业主' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '$.businessKey', message: expect.stringMatching(/longer than 200 characters/) })]);
  });

  it('refuses an attachment name the database cannot store, and cuts a long definition file name', async () => {
    const created = await start({ businessKey: 'L-att' }).expect(201);
    const att = await h.http
      .post(`/instances/${created.body.id}/attachments?name=${encodeURIComponent('a\u0000.txt')}`)
      .set(alice)
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(att.status).toBe(400);
    const file = await h.http
      .post(`/definitions?file=${encodeURIComponent('x'.repeat(301))}`)
      .set(owner)
      .set('Content-Type', 'application/yaml')
      .send(LEAVE);
    // The file name is cut to what its column holds: stored, not a 500.
    expect(file.status).toBeLessThan(500);
  });

  it('applies the same size limit to a definition in `wf validate` and in the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-size-'));
    try {
      for (const [kib, accepted] of [
        [255, true],
        [300, false],
      ] as const) {
        const text = LEAVE + '\n# ' + 'x'.repeat(kib * 1024 - LEAVE.length - 3) + '\n';
        const file = join(dir, `leave-${kib}.yaml`);
        writeFileSync(file, text);
        const out: string[] = [];
        const io: CliIo = { out: (l) => out.push(l), err: () => undefined, cwd: REPO_ROOT, exitCode: 0, now: () => new Date('2026-03-01T00:00:00Z') };
        const code = await runCli(['node', 'wf', 'validate', file], io);
        const api = await validate(text);
        expect({ kib, cli: code === 0, api: api.status === 200 }).toEqual({ kib, cli: accepted, api: accepted });
        if (!accepted) {
          expect(api.status).toBe(422);
          expect(out[0]).toContain(api.body.errors[0].message);
          expect(api.body.errors[0].message).toMatch(/larger than the limit of 256 KiB/);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
