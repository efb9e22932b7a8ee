/**
 * A separate engine process for the multi-process timer test: fires due timers against the
 * database in the environment (WF_DATABASE_URL, WF_DATABASE_SCHEMA) until none is pending,
 * then prints `{"worker": ..., "fired": n}` and exits.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config/app-config';
import { openProcessEngine } from '../../src/processes';

async function main(): Promise<void> {
  const engine = await openProcessEngine(loadConfig());
  // Start together with the other workers (the test passes a common start time), so both compete.
  const startAt = Number(process.env.WORKER_START_AT ?? 0);
  if (startAt > Date.now()) await new Promise((r) => setTimeout(r, startAt - Date.now()));
  let fired = 0;
  for (;;) {
    fired += await engine.worker.timers.tick();
    const [{ n }] = await engine.db.read((q) => q.rows<{ n: string | number }>(`SELECT COUNT(*) AS n FROM timers WHERE status = 'pending'`));
    if (Number(n) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  process.stdout.write(JSON.stringify({ worker: engine.worker.timers.workerId, fired }) + '\n');
  await engine.close();
}

main().catch((err) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n');
  process.exit(1);
});
