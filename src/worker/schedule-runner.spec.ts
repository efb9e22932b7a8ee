/**
 * The schedule runner against a real SQLite file with a manual clock: each occurrence runs
 * once, a missed one runs once (no burst), a failed run keeps its error on the row.
 */
import { fixtureDefinition, serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';
import { SYSTEM_ACTOR } from '../engine/transition-plan';

const admin = { id: 'a', roles: ['admin'] };
const DIGEST = fixtureDefinition('digest.yaml');

describe('ScheduleRunner', () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture({ definitions: { 'digest.yaml': DIGEST } });
    await f.schedules.sync();
  });
  afterEach(() => f.dispose());

  const schedules = () =>
    f.db.read((q) =>
      q.rows<{ name: string; next_run_at: string; last_run_at: string | null; last_error: string | null }>(
        'SELECT name, next_run_at, last_run_at, last_error FROM schedules',
      ),
    );
  const digests = async () => (await f.instances.list({ definition: 'digest' }, admin)).items.map((i) => i.businessKey).sort();

  it('keeps one row per declared schedule with its next run, and drops rows no longer declared', async () => {
    // 09:00 in Shanghai on 1 March 2026.
    expect(await schedules()).toEqual([{ name: 'monthly', next_run_at: '2026-03-01T01:00:00.000Z', last_run_at: null, last_error: null }]);
    await f.definitions.register(DIGEST.replace(/^schedules:[\s\S]*?(?=^initial:)/m, ''), 'digest.yaml', 'owner');
    await f.schedules.sync();
    expect(await schedules()).toEqual([]);
  });

  it('runs each occurrence once, as the actor system, with the schedule as the cause', async () => {
    expect(await f.schedules.tick()).toBe(0);
    f.clock.set('2026-03-01T01:00:00.000Z');
    expect(await f.schedules.tick()).toBe(1);
    expect(await f.schedules.tick()).toBe(0);
    expect(await digests()).toEqual(['digest-2026-02']);
    const started = (await f.instances.byBusinessKey('digest', 'digest-2026-02'))!;
    expect(started.createdBy).toBe(SYSTEM_ACTOR.id);
    const [entry] = await f.instances.audit(started.id, admin);
    expect(entry.cause).toEqual({ kind: 'schedule', definition: 'digest', schedule: 'monthly', runAt: '2026-03-01T01:00:00.000Z' });
    expect(await schedules()).toEqual([
      { name: 'monthly', next_run_at: '2026-04-01T01:00:00.000Z', last_run_at: '2026-03-01T01:00:00.000Z', last_error: null },
    ]);
  });

  it('runs a missed occurrence once, then continues from now (no burst of catch-up runs)', async () => {
    f.clock.set('2026-06-15T00:00:00.000Z');
    expect(await f.schedules.tick()).toBe(1);
    expect(await f.schedules.tick()).toBe(0);
    expect(await digests()).toEqual(['digest-2026-02']);
    expect((await schedules())[0].next_run_at).toBe('2026-07-01T01:00:00.000Z');
  });

  it('keeps the error of a failed run on its row, logs it, and moves on to the next occurrence', async () => {
    await f.transitions.create({ definition: 'digest', businessKey: 'digest-2026-02', context: { month: '2026-02' } }, SYSTEM_ACTOR);
    f.clock.set('2026-03-01T01:00:00.000Z');
    expect(await f.schedules.tick()).toBe(0);
    const [row] = await schedules();
    expect(row).toMatchObject({
      next_run_at: '2026-04-01T01:00:00.000Z',
      last_error: "an instance of 'digest' with business key 'digest-2026-02' already exists",
    });
    expect(f.logging.messages('warn', 'schedules')).toEqual([expect.stringContaining('schedule digest/monthly at 2026-03-01T01:00:00.000Z failed')]);
    f.clock.set('2026-04-01T01:00:00.000Z');
    expect(await f.schedules.tick()).toBe(1);
    expect((await schedules())[0].last_error).toBeNull();
  });

  it('a new version with another cadence moves a run still ahead to the new phrase (a process owner tunes the cadence)', async () => {
    const quarterly = DIGEST.replace(
      / {2}monthly:\n {4}title: 每月汇总\n {4}every: month on day 1 at 09:00\n/,
      '  monthly:\n    title: 每季汇总\n    every: rules.cadence\n',
    ).replace(/^context:/m, 'rules:\n  cadence: { title: 汇总周期, value: quarter on day 1 at 09:00 }\ncontext:');
    await f.definitions.register(quarterly, 'digest.yaml', 'owner');
    await f.schedules.sync();
    expect((await schedules())[0].next_run_at).toBe('2026-04-01T01:00:00.000Z');
    f.clock.set('2026-04-01T01:00:00.000Z');
    expect(await f.schedules.tick()).toBe(1);
    expect((await schedules())[0].next_run_at).toBe('2026-07-01T01:00:00.000Z');
  });

  it('forEach starts one case per element, read as payload; one that fails does not stop the others', async () => {
    const perClerk = DIGEST.replace(
      '    start:\n      businessKey: \'="digest-" + previousMonth(now)\'\n      context:\n        month: =previousMonth(now)\n',
      '    forEach: \'=[{"team": "A"}, {"team": "B"}, {"team": "C"}]\'\n    start:\n      businessKey: \'="digest-" + payload.team + "-" + previousMonth(now)\'\n      context:\n        month: \'=payload.team + " " + previousMonth(now)\'\n',
    );
    expect(perClerk).not.toBe(DIGEST);
    await f.definitions.register(perClerk, 'digest.yaml', 'owner');
    await f.schedules.sync();
    await f.transitions.create({ definition: 'digest', businessKey: 'digest-B-2026-02', context: { month: 'by hand' } }, SYSTEM_ACTOR);
    f.clock.set('2026-03-01T01:00:00.000Z');
    expect(await f.schedules.tick()).toBe(0);
    expect(await digests()).toEqual(['digest-A-2026-02', 'digest-B-2026-02', 'digest-C-2026-02']);
    expect((await f.instances.byBusinessKey('digest', 'digest-C-2026-02'))!.context.month).toBe('C 2026-02');
    expect((await schedules())[0].last_error).toBe("element 2: an instance of 'digest' with business key 'digest-B-2026-02' already exists");
  });
});
