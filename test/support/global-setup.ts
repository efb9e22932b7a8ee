/**
 * Decides once per run whether the PostgreSQL suite runs. It runs when a server answers at
 * WF_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test). When none answers the
 * run still passes, says plainly that the PostgreSQL suite was skipped, and — when
 * WF_REQUIRE_PG=1, as `.ci/run` sets — fails instead.
 */
import { Client } from 'pg';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function globalSetup(): Promise<void> {
  const url = process.env.WF_TEST_PG_URL || DEFAULT_PG_URL;
  process.env.WF_TEST_PG_URL = url;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.WF_TEST_PG = '1';
    process.stdout.write(`\nPostgreSQL suite: running against ${url}\n`);
  } catch (err) {
    process.env.WF_TEST_PG = '0';
    const why = err instanceof Error ? err.message : String(err);
    if (process.env.WF_REQUIRE_PG === '1') {
      throw new Error(`WF_REQUIRE_PG=1 but PostgreSQL is not reachable at ${url}: ${why}`);
    }
    process.stdout.write(`\nPostgreSQL suite: SKIPPED — no server at ${url} (${why}). Only SQLite was tested.\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
