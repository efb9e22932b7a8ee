/**
 * Decides once per run whether the PostgreSQL suite runs. It runs when a server answers at
 * WF_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test). When none answers the
 * run still passes, says plainly that the PostgreSQL suite was skipped, and — when
 * WF_REQUIRE_PG=1, as `.ci/run` sets — fails instead.
 */
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { BROWSER_PATH } from './browser-path';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function globalSetup(): Promise<void> {
  decideBrowserSuite();
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

/**
 * The browser suite (pages and printed layouts in headless Chromium) runs when Debian's
 * chromium is installed; without it the run passes and says so, unless WF_REQUIRE_BROWSER=1
 * (as `.ci/run` sets, after installing the package).
 */
function decideBrowserSuite(): void {
  if (existsSync(BROWSER_PATH)) {
    process.env.WF_TEST_BROWSER = '1';
    process.stdout.write(`\nBrowser suite: running with ${BROWSER_PATH}\n`);
    return;
  }
  process.env.WF_TEST_BROWSER = '0';
  if (process.env.WF_REQUIRE_BROWSER === '1') throw new Error(`WF_REQUIRE_BROWSER=1 but there is no browser at ${BROWSER_PATH} (apt-get install chromium)`);
  process.stdout.write(`\nBrowser suite: SKIPPED — no browser at ${BROWSER_PATH} (apt-get install chromium). Pages and printed layouts were not tested.\n`);
}
