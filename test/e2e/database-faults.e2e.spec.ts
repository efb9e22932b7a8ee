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

  /** Holds `table` locked, starts the request, waits until the service's backend waits for the lock, and terminates it. */
  async function terminateWhileWaiting(table: string, request: () => PromiseLike<Response>): Promise<Response> {
    await operator.query('BEGIN');
    await operator.query(`LOCK TABLE "${schema}"."${table}" IN ACCESS EXCLUSIVE MODE`);
    const pending = Promise.resolve(request());
    try {
      for (;;) {
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

  it('answers a read with 503 DATABASE_UNAVAILABLE and Retry-After', async () => {
    const res = await terminateWhileWaiting('definition_versions', () => h.http.get('/definitions').set(alice));
    expectUnavailable(res);
    await h.http.get('/definitions').set(alice).expect(200);
  });

  it('answers a transaction with 503 (the cause, not the failed rollback) and stores nothing', async () => {
    const res = await terminateWhileWaiting('instances', () =>
      h.http
        .post('/instances')
        .set(alice)
        .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' } }),
    );
    expectUnavailable(res);
    const list = await h.http.get('/instances?definition=leave-approval').set(alice).expect(200);
    expect(list.body.items).toEqual([]);
    await h.http
      .post('/instances')
      .set(alice)
      .send({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '张三' } })
      .expect(201);
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
