/**
 * Security issue item 9, faults told as faults: a database connection lost in the middle of a
 * request (PostgreSQL: the backend terminated by an operator) or a database file locked by
 * another process (SQLite) is a retryable 503 `DATABASE_UNAVAILABLE` with `Retry-After`, not a
 * 500, and the service answers normally once the database is back. Each fault is made
 * deterministic: the request is held on a lock the test owns, and the fault strikes while it
 * waits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../src/persistence/database-faults';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';

const LEAVE = readFileSync(join(REPO_ROOT, 'test/fixtures/engine/definitions/leave-approval.yaml'), 'utf8');

function expectUnavailable(res: Response): void {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE', userMessage: expect.stringMatching(/[\u4e00-\u9fff]/) });
  expect(res.body.message).toMatch(/database is unavailable or busy/);
  expect(res.body.message).not.toMatch(/QueryRunnerAlreadyReleased/);
}

async function setUp(h: Harness) {
  const owner = await h.user('owner', ['process_owner']);
  const alice = await h.user('alice', ['applicant']);
  await h.http.post('/definitions').set('Authorization', `Bearer ${owner}`).set('Content-Type', 'application/yaml').send(LEAVE).expect(201);
  return { alice: { Authorization: `Bearer ${alice}` } };
}

const describePg = DRIVERS.includes('postgres') ? describe : describe.skip;

describePg('a PostgreSQL connection terminated while a request runs', () => {
  let h: Harness;
  let operator: Client;
  let alice: { Authorization: string };
  let schema: string;

  beforeAll(async () => {
    h = await startHarness('postgres');
    ({ alice } = await setUp(h));
    const database = h.engine.config.database;
    schema = database.kind === 'postgres' ? (database.schema as string) : '';
    operator = new Client({ connectionString: process.env.WF_TEST_PG_URL });
    await operator.connect();
  }, 60_000);
  afterAll(async () => {
    await operator.end();
    await h.close();
  });

  /**
   * Holds `table` locked, starts the request, waits until the service's backend waits for the
   * lock, and terminates it. Fails (instead of waiting for ever) when the request finishes before
   * any backend of the service waited for the lock.
   */
  async function terminateWhileWaiting(table: string, request: () => PromiseLike<Response>): Promise<Response> {
    await operator.query('BEGIN');
    await operator.query(`LOCK TABLE "${schema}"."${table}" IN ACCESS EXCLUSIVE MODE`);
    let settled: Response | undefined;
    const pending = Promise.resolve(request()).then((res) => (settled = res));
    try {
      for (;;) {
        if (settled) throw new Error(`the request finished (${settled.status}) before it waited for the lock on ${table}`);
        const { rows } = await operator.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
          [`workflow-engine/${schema}`],
        );
        if (rows.length > 0) {
          for (const { pid } of rows) await operator.query('SELECT pg_terminate_backend($1)', [pid]);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await operator.query('ROLLBACK');
    }
    return pending;
  }

  /**
   * The service answers normally again within the Retry-After it gave. A pooled connection whose
   * backend was terminated can be handed out once more before the pool has read the socket's end
   * (pg-pool's race); that request is a retryable 503 too, and the next one is answered.
   */
  async function answersAgain(request: () => PromiseLike<Response>): Promise<Response> {
    const until = Date.now() + DATABASE_RETRY_AFTER_SECONDS * 1000;
    for (;;) {
      const res = await request();
      if (res.status !== 503 || Date.now() > until) return res;
      expectUnavailable(res);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeEach(async () => {
    expect((await answersAgain(() => h.http.get('/definitions').set(alice))).status).toBe(200);
  });

  it('answers a read with 503 DATABASE_UNAVAILABLE and Retry-After', async () => {
    const res = await terminateWhileWaiting('definition_versions', () => h.http.get('/definitions').set(alice));
    expectUnavailable(res);
    expect((await answersAgain(() => h.http.get('/definitions').set(alice))).status).toBe(200);
  });

  it('answers a transaction with 503 (the cause, not the failed rollback) and stores nothing', async () => {
    const res = await terminateWhileWaiting('instances', () =>
      h.http
        .post('/instances')
        .set(alice)
        .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' } }),
    );
    expectUnavailable(res);
    const list = await answersAgain(() => h.http.get('/instances?definition=leave-approval').set(alice));
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    const again = await answersAgain(() =>
      h.http
        .post('/instances')
        .set(alice)
        .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' } }),
    );
    expect(again.status).toBe(201);
  });
});

describePg('every PostgreSQL connection busy', () => {
  const POOL_MAX = 2;
  let h: Harness;
  let operator: Client;
  let alice: { Authorization: string };
  let schema: string;

  beforeAll(async () => {
    h = await startHarness('postgres', { env: { WF_PG_POOL_MAX: String(POOL_MAX), WF_PG_POOL_WAIT_MS: '300' } });
    ({ alice } = await setUp(h));
    const database = h.engine.config.database;
    schema = database.kind === 'postgres' ? (database.schema as string) : '';
    operator = new Client({ connectionString: process.env.WF_TEST_PG_URL });
    await operator.connect();
  }, 60_000);
  afterAll(async () => {
    await operator.end();
    await h.close();
  });

  it('answers a request that finds no free connection with 503 after the configured wait, not an endless wait', async () => {
    await operator.query('BEGIN');
    // Every signed-in request reads api_tokens first: while the lock is held no request can finish on its own.
    await operator.query(`LOCK TABLE "${schema}"."api_tokens" IN ACCESS EXCLUSIVE MODE`);
    const requests = Array.from({ length: POOL_MAX * 3 }, () => Promise.resolve(h.http.get('/definitions').set(alice)));
    let first: Response | 'none';
    try {
      first = await Promise.race([...requests, new Promise<'none'>((resolve) => setTimeout(() => resolve('none'), 20_000))]);
    } finally {
      await operator.query('ROLLBACK');
    }
    // The first answer came while the lock was held: a request that found every connection taken, told to retry.
    expect(first).not.toBe('none');
    expectUnavailable(first as Response);
    for (const res of await Promise.all(requests)) expect([200, 503]).toContain(res.status);
    await h.http.get('/definitions').set(alice).expect(200);
  });
});

describe('a SQLite database file locked by another process', () => {
  let h: Harness;
  let alice: { Authorization: string };

  beforeAll(async () => {
    h = await startHarness('sqlite');
    ({ alice } = await setUp(h));
  }, 60_000);
  afterAll(() => h.close());

  it('answers a write with 503 DATABASE_UNAVAILABLE once the busy timeout passes, and works again after', async () => {
    const database = h.engine.config.database;
    const other = new BetterSqlite3(database.kind === 'sqlite' ? database.file : '');
    other.exec('BEGIN EXCLUSIVE');
    try {
      const res = await h.http
        .post('/instances')
        .set(alice)
        .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' } });
      expectUnavailable(res);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await h.http
      .post('/instances')
      .set(alice)
      .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' } })
      .expect(201);
  });
});
