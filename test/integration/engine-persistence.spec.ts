/**
 * The engine against real databases without HTTP: a restart in the middle of a run continues
 * exactly as an uninterrupted run would; running instances stay on their definition version;
 * a failed transaction leaves no trace; `wf user add` writes to the configured database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../../src/common/app-error';
import { ManualClock } from '../../src/common/clock';
import type { Actor } from '../../src/compiler/process-machine.contract';
import { runCli } from '../../src/cli/main';
import { openEngine, type Engine } from '../../src/engine/engine';
import { DRIVERS, freshDatabase, REPO_ROOT, type TestDatabase } from '../support/databases';

const LEAVE = readFileSync(join(REPO_ROOT, 'test/fixtures/engine/definitions/leave-approval.yaml'), 'utf8');
const alice: Actor = { id: 'alice', roles: ['applicant'] };
const bob: Actor = { id: 'bob', roles: ['approver'] };

describe.each(DRIVERS)('engine persistence on %s', (driver) => {
  let database: TestDatabase;
  let engine: Engine;
  const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));

  beforeEach(async () => {
    database = await freshDatabase(driver);
    engine = await openEngine(database.config, { clock });
    await engine.definitions.register(LEAVE, 'leave-approval.yaml', 'owner');
  });
  afterEach(async () => {
    await engine.close();
    await database.dispose();
  });

  const script: [Actor, string, Record<string, unknown>][] = [
    [alice, 'submit', { days: 2 }],
    [bob, 'comment', {}],
    [bob, 'sendBack', {}],
    [alice, 'submit', { days: 5 }],
    [alice, 'comment', {}],
    [bob, 'approve', {}],
  ];

  it('a run interrupted by a restart after every event equals the uninterrupted run', async () => {
    const straight = (await engine.transitions.create({ definition: 'leave-approval', businessKey: 'A', context: { applicantName: '甲' } }, alice)).instance;
    for (const [actor, type, payload] of script) await engine.transitions.send(straight.id, { type, payload }, actor);

    const resumed = (await engine.transitions.create({ definition: 'leave-approval', businessKey: 'B', context: { applicantName: '甲' } }, alice)).instance;
    for (const [actor, type, payload] of script) {
      await engine.close();
      engine = await openEngine(database.config, { clock });
      await engine.transitions.send(resumed.id, { type, payload }, actor);
    }
    const a = await engine.instances.get(straight.id, alice);
    const b = await engine.instances.get(resumed.id, alice);
    expect(b).toMatchObject({ state: a.state, status: 'completed', context: a.context, version: a.version });
    expect(a.context).toEqual({ applicantName: '甲', days: 5, comments: 2, revisions: 1, approvedBy: 'bob' });
    const trailA = await engine.instances.audit(straight.id, alice);
    const trailB = await engine.instances.audit(resumed.id, alice);
    const strip = (t: typeof trailA) => t.map(({ eventType, fromState, toState, payload, actor }) => ({ eventType, fromState, toState, payload, actor }));
    expect(strip(trailB)).toEqual(strip(trailA));
    await expect(engine.auditVerifier.verify()).resolves.toMatchObject({ ok: true, instancesChecked: 2, entriesChecked: 14 });
  });

  it('a running instance stays on the version it started with; new instances take the newest', async () => {
    const old = (await engine.transitions.create({ definition: 'leave-approval', businessKey: 'OLD', context: { applicantName: '乙' } }, alice)).instance;
    const v2 = await engine.definitions.register(LEAVE.replace('value: 10', 'value: 3'), 'leave-approval.yaml', 'owner');
    expect(v2).toMatchObject({ version: 2, created: true });
    const fresh = (await engine.transitions.create({ definition: 'leave-approval', businessKey: 'NEW', context: { applicantName: '乙' } }, alice)).instance;
    expect(fresh.definitionVersion).toBe(2);
    const oldAfter = await engine.transitions.send(old.id, { type: 'submit', payload: { days: 5 } }, alice);
    const freshAfter = await engine.transitions.send(fresh.id, { type: 'submit', payload: { days: 5 } }, alice);
    expect(oldAfter).toMatchObject({ state: 'pending', definitionVersion: 1 });
    expect(freshAfter).toMatchObject({ state: 'rejected', definitionVersion: 2 });
  });

  it('a transaction that fails half-way leaves nothing behind', async () => {
    const inst = (await engine.transitions.create({ definition: 'leave-approval', businessKey: 'TX', context: { applicantName: '丙' } }, alice)).instance;
    await expect(
      engine.db.transaction(async (tx) => {
        await tx.run('UPDATE instances SET state = $1, version = version + 1 WHERE id = $2', ['approved', inst.id]);
        throw new AppError(ErrorCode.Internal, 'simulated crash before the audit insert');
      }),
    ).rejects.toThrow('simulated crash');
    await expect(engine.instances.get(inst.id, alice)).resolves.toMatchObject({ state: 'draft', version: 1 });
  });

  it('two sends computed against the same version: exactly one applies', async () => {
    const inst = (await engine.transitions.create({ definition: 'leave-approval', businessKey: 'RACE', context: { applicantName: '丁' } }, alice)).instance;
    await engine.transitions.send(inst.id, { type: 'submit', payload: { days: 1 } }, alice);
    const outcomes = await Promise.allSettled([
      engine.transitions.send(inst.id, { type: 'approve' }, bob),
      engine.transitions.send(inst.id, { type: 'withdraw' }, alice),
    ]);
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const f of failed) expect([ErrorCode.VersionConflict, ErrorCode.InstanceCompleted]).toContain(f.reason.code);
    const final = await engine.instances.get(inst.id, alice);
    expect(final.version).toBe(3);
    expect(await engine.instances.audit(inst.id, alice)).toHaveLength(3);
  });

  it('wf user add creates a user in the configured database, and refuses a duplicate', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`), cwd: REPO_ROOT, exitCode: 0 };
    const env = { ...process.env };
    Object.assign(
      process.env,
      driver === 'sqlite'
        ? { WF_DATA_DIR: database.config.dataDir, WF_DATABASE_URL: '' }
        : { WF_DATABASE_URL: (database.config.database as { url: string }).url, WF_DATABASE_SCHEMA: (database.config.database as { schema: string }).schema },
    );
    try {
      const code = await runCli(['node', 'wf', 'user', 'add', 'carol', '--roles', 'cs_assistant,auditor', '--password', 'long enough pw'], io);
      expect(code).toBe(0);
      expect(lines).toContain('created user carol with roles cs_assistant, auditor');
      await expect(engine.auth.issueToken('carol', 'long enough pw')).resolves.toMatchObject({ roles: ['cs_assistant', 'auditor'] });
      const io2 = { ...io, exitCode: 0 };
      const again = await runCli(['node', 'wf', 'user', 'add', 'carol', '--roles', 'x', '--password', 'long enough pw'], io2);
      expect(again).toBe(1);
      expect(lines.at(-1)).toBe("ERR error: user 'carol' already exists");
      // --name: the person's name that forms and time lines print (actor.name), kept in users.display_name.
      const named = await runCli(['node', 'wf', 'user', 'add', 'dave', '--roles', 'cs_supervisor', '--name', '张三', '--password', 'long enough pw'], {
        ...io,
        exitCode: 0,
      });
      expect(named).toBe(0);
      expect(lines.at(-1)).toBe('created user dave (张三) with roles cs_supervisor');
      await expect(engine.auth.user('dave')).resolves.toMatchObject({ username: 'dave', displayName: '张三' });
      await expect(engine.auth.actorFor('dave')).resolves.toEqual({ id: 'dave', roles: ['cs_supervisor'], name: '张三' });
      await expect(engine.auth.displayNames(['dave', 'carol', 'system'])).resolves.toEqual({ dave: '张三' });
    } finally {
      process.env = env;
    }
  });

  it('locks a username for a while after repeated wrong passwords', async () => {
    await engine.auth.addUser({ username: 'erin', password: 'long enough pw', roles: ['applicant'] });
    for (let i = 0; i < 10; i++) {
      await expect(engine.auth.issueToken('erin', 'wrong')).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    }
    await expect(engine.auth.issueToken('erin', 'long enough pw')).rejects.toMatchObject({ code: ErrorCode.TooManyAttempts });
    clock.advance(15 * 60_000 + 1);
    await expect(engine.auth.issueToken('erin', 'long enough pw')).resolves.toMatchObject({ roles: ['applicant'] });
  });

  it('an expired token is refused', async () => {
    await engine.auth.addUser({ username: 'dave', password: 'long enough pw', roles: ['applicant'] });
    const { token } = await engine.auth.issueToken('dave', 'long enough pw');
    await expect(engine.auth.authenticate(token)).resolves.toEqual({ id: 'dave', roles: ['applicant'] });
    clock.advance(database.config.tokenTtlMinutes * 60_000 + 1);
    await expect(engine.auth.authenticate(token)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated, message: expect.stringContaining('expired') });
  });
});

describe.each(DRIVERS)('schema on %s', (driver) => {
  // Indices and foreign keys live in the migrations only (the entities declare no relations).
  it('the migrations create the tables and columns the entities describe', async () => {
    const database = await freshDatabase(driver);
    const engine = await openEngine(database.config);
    try {
      const runner = engine.db.dataSource.createQueryRunner();
      const tables = await runner.getTables(engine.db.dataSource.entityMetadatas.map((m) => m.tablePath));
      await runner.release();
      const actual = Object.fromEntries(tables.map((t) => [t.name.split('.').pop(), t.columns.map((c) => `${c.name}${c.isNullable ? '?' : ''}`).sort()]));
      const expected = Object.fromEntries(
        engine.db.dataSource.entityMetadatas.map((m) => [m.tableName, m.columns.map((c) => `${c.databaseName}${c.isNullable ? '?' : ''}`).sort()]),
      );
      expect(actual).toEqual(expected);
      expect(Object.keys(expected)).toHaveLength(22);
    } finally {
      await engine.close();
      await database.dispose();
    }
  });
});
