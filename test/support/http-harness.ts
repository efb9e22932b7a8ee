/**
 * Starts the real service (engine + Nest app) on an ephemeral loopback port for one spec,
 * and offers helpers to create users and sign in over HTTP.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { Clock } from '../../src/common/clock';
import { openEngine, type Engine } from '../../src/engine/engine';
import { createApp } from '../../src/http/create-app';
import { freshDatabase, type DriverName, type TestDatabase } from './databases';

export interface Harness {
  readonly engine: Engine;
  readonly app: NestExpressApplication;
  readonly baseUrl: string;
  readonly http: ReturnType<typeof request>;
  /** Creates a user with the roles and returns a bearer token for it (signed in over HTTP). */
  user(name: string, roles: string[], attributes?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

export async function startHarness(driver: DriverName, options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<Harness> {
  const database: TestDatabase = await freshDatabase(driver, options.env);
  const engine = await openEngine(database.config, { clock: options.clock });
  const app = await createApp(engine, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const http = request(baseUrl);
  return {
    engine, app, baseUrl, http,
    async user(name, roles, attributes) {
      await engine.auth.addUser({ username: name, password: PASSWORD, roles, attributes });
      const res = await http.post('/auth/token').send({ username: name, password: PASSWORD }).expect(200);
      return res.body.token as string;
    },
    async close() {
      await app.close();
      await engine.close();
      await database.dispose();
    },
  };
}
