/**
 * The timer runner against a real SQLite file with a manual clock: a due timer fires once,
 * through the ordinary transition path; "retry or give up" follows the error table.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import { SequentialIds } from '../common/ids';
import { serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';
import { TIMER_RETRY_SECONDS, TimerRunner } from './timer-runner';

const clerk: Actor = { id: 'clerk-1', roles: ['clerk'] };

describe('TimerRunner', () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.dispose());

  // Friday 10:00 in Shanghai: 'remindToday' is due at 18:00 (10:00Z), 'overdue' on Wednesday 25 Feb.
  const ticket = async () =>
    (await f.transitions.create({ definition: 'ticket', businessKey: 'T-1', context: { title: 't', requester: 'r' } }, clerk)).instance;
  const timer = async (instanceId: string, event: string) => (await f.records.timers(instanceId)).find((t) => t.eventType === event)!;

  it('fires a due timer once, as the actor system, with the timer as the cause', async () => {
    const t = await ticket();
    expect(await f.timers.tick()).toBe(0);
    f.clock.set('2026-02-13T10:00:00.000Z');
    expect(await f.timers.tick()).toBe(1);
    const remind = await timer(t.id, 'remindToday');
    expect(remind).toMatchObject({ status: 'fired', firedSeq: 2, firedAt: '2026-02-13T10:00:00.000Z' });
    const entry = (await f.instances.audit(t.id, clerk)).at(-1)!;
    expect(entry).toMatchObject({ eventType: 'remindToday', actor: 'system', cause: { kind: 'timer', timerId: remind.id, deadline: 'open#1' } });
    // Another process ticking afterwards finds nothing left.
    const otherIds = new SequentialIds();
    otherIds.uuid();
    const other = new TimerRunner(f.db, f.transitions, f.clock, otherIds, f.logging.scope('timers'));
    expect(other.workerId).not.toBe(f.timers.workerId);
    expect(await other.tick()).toBe(0);
    expect(await f.timers.tick()).toBe(0);
    expect(await f.count('audit_entries', "event_type = 'remindToday'")).toBe(1);
  });

  it('marks the timer failed when its event is no longer accepted (retrying cannot help)', async () => {
    const t = await ticket();
    // The instance left 'open' by a path that did not cancel the timer (e.g. rows from before a fix).
    await f.db.transaction((tx) => tx.run(`UPDATE instances SET state = 'answered' WHERE id = $1`, [t.id]));
    f.clock.set('2026-02-13T10:00:00.000Z');
    expect(await f.timers.tick()).toBe(0);
    const remind = await timer(t.id, 'remindToday');
    expect(remind).toMatchObject({ status: 'failed' });
    expect(remind.lastError).toMatch(/^EVENT_NOT_ACCEPTED: 'remindToday' is not accepted in 'answered'/);
    expect(f.logging.messages('warn', 'timers')).toEqual([expect.stringContaining('timer open#1 on instance')]);
    f.clock.advance(3600_000);
    expect(await f.timers.tick()).toBe(0);
  });

  it('marks the timer failed on an internal fault the table says not to retry', async () => {
    const t = await ticket();
    jest.spyOn(f.transitions, 'send').mockRejectedValueOnce(new AppError(ErrorCode.Internal, "the domain function 'x.y' is missing"));
    f.clock.set('2026-02-13T10:00:00.000Z');
    await f.timers.tick();
    expect(await timer(t.id, 'remindToday')).toMatchObject({ status: 'failed', lastError: "INTERNAL: the domain function 'x.y' is missing" });
  });

  it.each([
    ['a version conflict', () => new AppError(ErrorCode.VersionConflict, 'instance changed; retry'), 'instance changed; retry'],
    ['a passing database fault', () => new Error('SQLITE_BUSY: database is locked'), 'SQLITE_BUSY: database is locked'],
  ])('keeps the timer pending after %s and fires it a few seconds later', async (_what, error, text) => {
    const t = await ticket();
    jest.spyOn(f.transitions, 'send').mockRejectedValueOnce(error());
    f.clock.set('2026-02-13T10:00:00.000Z');
    expect(await f.timers.tick()).toBe(0);
    expect(await timer(t.id, 'remindToday')).toMatchObject({ status: 'pending', lastError: text });
    // Still claimed for a few seconds: not even this process tries again at once.
    expect(await f.timers.tick()).toBe(0);
    f.clock.advance(TIMER_RETRY_SECONDS * 1000 + 1);
    expect(await f.timers.tick()).toBe(1);
    expect(await timer(t.id, 'remindToday')).toMatchObject({ status: 'fired' });
  });
});
