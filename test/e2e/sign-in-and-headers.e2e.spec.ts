/**
 * Issue 11 (items 7 and 8), over real HTTP on both databases: the sign-in lockout is kept in
 * the database (it survives a restart and holds across engine processes), one client cannot
 * lock every username, token responses are never cached, a 401 says how to authenticate, and
 * every response carries the usual security headers.
 */
import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { openEngine } from '../../src/engine/engine';
import { createApp } from '../../src/http/create-app';
import { DRIVERS, freshDatabase } from '../support/databases';
import { PASSWORD } from '../support/http-harness';

describe.each(DRIVERS)('sign-in lockout and security headers on %s', (driver) => {
  async function service(database: Awaited<ReturnType<typeof freshDatabase>>, clock: ManualClock) {
    const engine = await openEngine(database.config, { clock });
    const app = await createApp(engine, { logger: false });
    await app.listen(0, '127.0.0.1');
    const http = request(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
    return {
      engine,
      http,
      close: async () => {
        await app.close();
        await engine.close();
      },
    };
  }
  const signIn = (http: ReturnType<typeof request>, username: string, password: string) => http.post('/auth/token').send({ username, password });

  it('keeps the lockout across a restart and across two processes sharing the database', async () => {
    const database = await freshDatabase(driver);
    const clock = new ManualClock(new Date('2026-12-01T09:00:00+08:00'));
    let a = await service(database, clock);
    const b = await service(database, clock);
    try {
      await a.engine.auth.addUser({ username: 'wang', password: PASSWORD, roles: ['cs_assistant'] });
      // Five wrong passwords on each process: ten in all.
      for (let i = 0; i < 5; i++) {
        expect((await signIn(a.http, 'wang', 'wrong-password')).status).toBe(401);
        expect((await signIn(b.http, 'wang', 'wrong-password')).status).toBe(401);
      }
      const locked = await signIn(b.http, 'wang', PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

      await a.close();
      a = await service(database, clock);
      expect((await signIn(a.http, 'wang', PASSWORD)).status).toBe(429);
      clock.advance(16 * 60_000);
      const ok = await signIn(a.http, 'wang', PASSWORD);
      expect(ok.status).toBe(200);
      expect(ok.headers['cache-control']).toBe('no-store');
    } finally {
      await a.close();
      await b.close();
      await database.dispose();
    }
  });

  it('stops one client from locking every username, and says how to authenticate on 401', async () => {
    const database = await freshDatabase(driver);
    const clock = new ManualClock(new Date('2026-12-01T09:00:00+08:00'));
    const s = await service(database, clock);
    try {
      await s.engine.auth.addUser({ username: 'li', password: PASSWORD, roles: ['cs_assistant'] });
      for (let i = 0; i < 50; i++) {
        const res = await signIn(s.http, `guess${i}`, 'wrong-password');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="workflow"');
      }
      // The client is now refused for any username; 'li' itself was never locked.
      const refused = await signIn(s.http, `guess-more`, 'wrong-password');
      expect(refused.status).toBe(429);
      expect(refused.body.message).toContain('from this client');
      clock.advance(16 * 60_000);
      expect((await signIn(s.http, 'li', PASSWORD)).status).toBe(200);
      expect((await s.http.get('/instances')).headers['www-authenticate']).toBe('Bearer realm="workflow"');
    } finally {
      await s.close();
      await database.dispose();
    }
  });

  it('sends security headers on API responses and HTML pages', async () => {
    const database = await freshDatabase(driver);
    const s = await service(database, new ManualClock(new Date('2026-12-01T09:00:00+08:00')));
    try {
      for (const path of ['/instances', '/docs', '/survey/answer/not-a-token']) {
        const res = await s.http.get(path);
        expect([path, res.headers['x-content-type-options']]).toEqual([path, 'nosniff']);
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['referrer-policy']).toBe('same-origin');
        expect(res.headers['content-security-policy']).toContain("script-src 'self'");
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
        expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      }
    } finally {
      await s.close();
      await database.dispose();
    }
  });
});
