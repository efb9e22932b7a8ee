/**
 * The background loop: one pass runs calendar, timers, schedules and outbox in that order (so
 * what a timer queued is delivered in the same pass); the loop never runs two passes at once and
 * logs a failed pass instead of stopping.
 */
import { MemoryLogging } from '../common/logging';
import { BackgroundWorker } from './background-worker';
import type { OutboxDispatcher } from './outbox-dispatcher';
import type { ScheduleRunner } from './schedule-runner';
import type { TimerRunner } from './timer-runner';

function parts(order: string[], opts: { timersFail?: boolean } = {}) {
  let running = 0;
  let overlap = false;
  const step = (name: string, n: number) => async () => {
    running += 1;
    if (running > 1) overlap = true;
    order.push(name);
    await new Promise((r) => setTimeout(r, 5));
    running -= 1;
    if (name === 'timers' && opts.timersFail) throw new Error('database is locked');
    return n;
  };
  return {
    timers: { tick: step('timers', 2) } as unknown as TimerRunner,
    schedules: { tick: step('schedules', 1) } as unknown as ScheduleRunner,
    outbox: { tick: step('outbox', 3) } as unknown as OutboxDispatcher,
    calendar: { follow: step('calendar', 0), logWarningDaily: () => order.push('warning') },
    overlapped: () => overlap,
  };
}

describe('BackgroundWorker', () => {
  it('one pass: calendar, timers, schedules, then the outbox', async () => {
    const order: string[] = [];
    const p = parts(order);
    const worker = new BackgroundWorker(p.timers, p.schedules, p.outbox, p.calendar, new MemoryLogging().scope('engine'), 1000);
    await expect(worker.runOnce()).resolves.toEqual({ timers: 2, schedules: 1, outbox: 3 });
    expect(order).toEqual(['calendar', 'warning', 'timers', 'schedules', 'outbox']);
  });

  it('repeats passes one at a time, logs a failed one, and stops after the pass under way', async () => {
    const order: string[] = [];
    const p = parts(order, { timersFail: true });
    const logging = new MemoryLogging();
    const worker = new BackgroundWorker(p.timers, p.schedules, p.outbox, p.calendar, logging.scope('engine'), 2);
    worker.start();
    worker.start();
    await new Promise((r) => setTimeout(r, 60));
    await worker.stop();
    expect(worker.started).toBe(false);
    const passes = order.filter((s) => s === 'timers').length;
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(p.overlapped()).toBe(false);
    expect(logging.messages('error', 'engine')[0]).toContain('database is locked');
    const after = order.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(order.length).toBe(after);
  });
});
