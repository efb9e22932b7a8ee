/**
 * Starts the real service (engine + Nest app) on an ephemeral loopback port for one spec,
 * and offers helpers to create users and sign in over HTTP.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { Clock } from '../../src/common/clock';
import { openEngine, type Engine } from '../../src/engine/engine';
import { createApp } from '../../src/http/create-app';
import { createProcessFunctions } from '../../src/processes';
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
  const engine = await openEngine(database.config, {
    clock: options.clock,
    functions: createProcessFunctions({ definitionsDir: database.config.definitionsDir }),
  });
  const app = await createApp(engine, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const http = request(baseUrl);
  return {
    engine,
    app,
    baseUrl,
    http,
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

/**
 * Calls the API as named users (`auth[user]` holds each one's Authorization header) and fails
 * with the response body when the status is not one of `expected`. `harness` is read at each
 * call, so a spec can set it up in beforeAll.
 */
export function apiAs(harness: () => Harness, auth: Record<string, { Authorization: string }>) {
  async function call(method: 'get' | 'post' | 'put', user: string, path: string, body?: unknown, expected = [200, 201]) {
    let req = harness().http[method](path).set(auth[user]);
    if (body !== undefined) req = req.send(body as object);
    const res = await req;
    if (!expected.includes(res.status)) throw new Error(`${method.toUpperCase()} ${path} by ${user}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }
  /** Sends an event; returns the response body (the instance, or the error for an expected failure). */
  const send = async (user: string, id: string, type: string, payload: Record<string, unknown> = {}, expected = [200]) =>
    (await call('post', user, `/instances/${id}/events`, { type, payload }, expected)).body;
  const get = async (user: string, id: string) => (await call('get', user, `/instances/${id}`)).body;
  return { call, send, get };
}
