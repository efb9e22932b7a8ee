/**
 * The driver matrix for integration and end-to-end specs: every spec that uses
 * `eachDatabase` runs on a real SQLite file and, when reachable, on the real PostgreSQL
 * (each spec in a fresh schema of its own, dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig, type AppConfig } from '../../src/config/app-config';

export type DriverName = 'sqlite' | 'postgres';

export const DRIVERS: DriverName[] = process.env.WF_TEST_PG === '1' ? ['sqlite', 'postgres'] : ['sqlite'];

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface TestDatabase {
  readonly config: AppConfig;
  /** Removes the SQLite folder or drops the PostgreSQL schema. */
  dispose(): Promise<void>;
}

/** A fresh, empty database for one spec, with the repository's definitions and templates folders. */
export async function freshDatabase(driver: DriverName, overrides: Record<string, string> = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wf-test-'));
  const env: Record<string, string> = {
    WF_DATA_DIR: dataDir,
    WF_DEFINITIONS_DIR: join(REPO_ROOT, 'definitions'),
    WF_TEMPLATES_DIR: join(REPO_ROOT, 'templates'),
    WF_LOG_LEVEL: 'error',
    ...overrides,
  };
  let schema: string | undefined;
  if (driver === 'postgres') {
    schema = `wf_t_${randomBytes(6).toString('hex')}`;
    env.WF_DATABASE_URL = process.env.WF_TEST_PG_URL as string;
    env.WF_DATABASE_SCHEMA = schema;
  }
  const config = loadConfig(env, REPO_ROOT);
  return {
    config,
    dispose: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) {
        const client = new Client({ connectionString: process.env.WF_TEST_PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    },
  };
}
