/**
 * Two engine processes against one PostgreSQL database fire each of 1,000 due timers exactly
 * once between them (claims use FOR UPDATE SKIP LOCKED; the firing transaction flips the
 * timer from pending to fired). Runs only when PostgreSQL is reachable.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { openProcessEngine } from '../../src/processes';
import { DRIVERS, freshDatabase, REPO_ROOT } from '../support/databases';

const TIMERS = 1000;
const FIXTURES = join(REPO_ROOT, 'test/fixtures/engine');

function runWorker(env: NodeJS.ProcessEnv): Promise<{ worker: string; fired: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', join(REPO_ROOT, 'test/support/swc-register.js'), join(REPO_ROOT, 'test/support/timer-worker.ts')], {
      env,
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

const pgOnly = DRIVERS.includes('postgres') ? describe : describe.skip;

pgOnly('timers across two engine processes on postgres', () => {
  it(`fires each of ${TIMERS} due timers exactly once`, async () => {
    const database = await freshDatabase('postgres', {
      WF_DEFINITIONS_DIR: join(FIXTURES, 'definitions'),
      WF_TEMPLATES_DIR: join(FIXTURES, 'templates'),
    });
    // Instances created "a month ago": their end-of-day reminders are long due.
    const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));
    const engine = await openProcessEngine(database.config, { clock });
    try {
      await engine.definitions.registerDirectory(database.config.definitionsDir, 'system');
      const clerk = { id: 'clerk', roles: ['clerk'] };
      for (let i = 0; i < TIMERS; i++) {
        const { instance: body } = await engine.transitions.create(
          { definition: 'ticket', businessKey: `M-${i}`, context: { title: 't', requester: 'r' } },
          clerk,
        );
        // Keep exactly one timer per instance: cancel the 3-working-day one.
        await engine.db.transaction((tx) => tx.run(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND event_type = 'overdue'`, [body.id]));
      }
      const env = {
        ...process.env,
        WF_DATABASE_URL: process.env.WF_TEST_PG_URL,
        WF_DATABASE_SCHEMA: (database.config.database as { schema: string }).schema,
        WF_DEFINITIONS_DIR: database.config.definitionsDir,
        WF_TEMPLATES_DIR: database.config.templatesDir,
        WF_DATA_DIR: database.config.dataDir,
        WF_LOG_LEVEL: 'error',
        WORKER_START_AT: String(Date.now() + 4000),
      };
      const [a, b] = await Promise.all([runWorker(env), runWorker(env)]);
      expect(a.fired + b.fired).toBe(TIMERS);
      expect(a.fired).toBeGreaterThan(0);
      expect(b.fired).toBeGreaterThan(0);
      const rows = await engine.db.read((q) =>
        q.rows<{ n: string; instances: string }>(
          `SELECT COUNT(*) AS n, COUNT(DISTINCT instance_id) AS instances FROM audit_entries WHERE event_type = 'remindToday'`,
        ),
      );
      expect(Number(rows[0].n)).toBe(TIMERS);
      expect(Number(rows[0].instances)).toBe(TIMERS);
      const fired = await engine.db.read((q) => q.rows<{ n: string }>(`SELECT COUNT(*) AS n FROM timers WHERE status = 'fired'`));
      expect(Number(fired[0].n)).toBe(TIMERS);
      await expect(engine.auditVerifier.verify()).resolves.toMatchObject({ ok: true });
    } finally {
      await engine.close();
      await database.dispose();
    }
  }, 240_000);
});
