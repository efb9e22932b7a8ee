/**
 * `npm run bench`: transitions per second and latency of the hot path (role check, payload
 * validation, pure transition, version-checked UPDATE + audit INSERT in one transaction),
 * on a SQLite file and, when reachable, on PostgreSQL. Prints a table; asserts nothing.
 * Options (env): BENCH_INSTANCES (default 50), BENCH_EVENTS (per instance, default 40),
 * BENCH_CONCURRENCY (default 8), WF_TEST_PG_URL. Then the expression budget's worst case
 * (expression-regex.bench.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/app-config';
import { openProcessEngine } from '../../src/processes';
import { benchExpressionRegex } from './expression-regex.bench';

const ROOT = resolve(__dirname, '..', '..', '..');
const LEAVE = readFileSync(join(ROOT, 'test/fixtures/engine/definitions/leave-approval.yaml'), 'utf8');
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 50);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PG_URL = process.env.WF_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function bench(label: string, env: Record<string, string>): Promise<void> {
  const engine = await openProcessEngine(loadConfig({ WF_LOG_LEVEL: 'error', ...env }, ROOT));
  await engine.definitions.register(LEAVE, 'leave-approval.yaml', 'bench');
  const alice = { id: 'alice', roles: ['applicant'] };
  const ids: string[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const { instance: body } = await engine.transitions.create(
      { definition: 'leave-approval', businessKey: `B-${i}`, context: { applicantName: '甲' } },
      alice,
    );
    await engine.transitions.send(body.id, { type: 'submit', payload: { days: 1 } }, alice);
    ids.push(body.id);
  }
  const latencies: number[] = [];
  // Worker w owns the instances i with i % CONCURRENCY === w, so the run measures throughput, not conflicts.
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const mine = ids.filter((_, i) => i % CONCURRENCY === w);
      for (let round = 0; round < EVENTS; round++) {
        for (const id of mine) {
          const t0 = process.hrtime.bigint();
          await engine.transitions.send(id, { type: 'comment' }, alice);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
  const verify = await engine.auditVerifier.verify();
  console.log(
    `${label.padEnd(10)} ${String(latencies.length).padStart(6)} events  ${(latencies.length / seconds).toFixed(0).padStart(6)}/s  ` +
      `p50 ${pct(0.5)} ms  p95 ${pct(0.95)} ms  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB  ` +
      `audit ${verify.ok ? 'ok' : 'BROKEN'} (${verify.entriesChecked} entries)`,
  );
  await engine.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wf-bench-'));
  try {
    await bench('sqlite', { WF_DATA_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  const schema = `wf_bench_${process.pid}`;
  try {
    await client.connect();
  } catch {
    console.log(`postgres   skipped: no server at ${PG_URL}`);
    return;
  }
  try {
    await bench('postgres', { WF_DATABASE_URL: PG_URL, WF_DATABASE_SCHEMA: schema });
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

main()
  .then(() => benchExpressionRegex())
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
