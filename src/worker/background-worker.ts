/**
 * Owns the background loop: one pass follows calendar changes made by other processes, fires
 * due timers, runs due schedules and then delivers the outbox (including what those timers and
 * schedules just queued). `start()` repeats the pass every `pollIntervalMs`, never two passes at
 * once; `stop()` ends the loop after the pass under way.
 */
import type { Log } from '../common/logging';
import type { OutboxDispatcher } from './outbox-dispatcher';
import type { ScheduleRunner } from './schedule-runner';
import type { TimerRunner } from './timer-runner';

/** What one pass did. */
export interface DueWork {
  readonly timers: number;
  readonly schedules: number;
  readonly outbox: number;
}

/** The part of the calendar sync the loop drives (`engine/calendar-sync.ts`). */
export interface CalendarFollower {
  follow(): Promise<unknown>;
  logWarningDaily(): void;
}

export class BackgroundWorker {
  private loop: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    readonly timers: TimerRunner,
    readonly schedules: ScheduleRunner,
    readonly outbox: OutboxDispatcher,
    private readonly calendar: CalendarFollower,
    private readonly log: Log,
    private readonly pollIntervalMs: number,
  ) {}

  /** One pass: calendar, timers, schedules, outbox, in that order. */
  async runOnce(): Promise<DueWork> {
    await this.calendar.follow();
    this.calendar.logWarningDaily();
    const timers = await this.timers.tick();
    const schedules = await this.schedules.tick();
    // Deliver what the timers and schedules just queued, too.
    const outbox = await this.outbox.tick();
    return { timers, schedules, outbox };
  }

  /** Starts the loop (idempotent). A failed pass is logged; the next one runs on time. */
  start(): void {
    if (this.loop) return;
    this.loop = setInterval(() => {
      this.running = this.running.then(() => this.runOnce()).catch((err) => this.log.error(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    }, this.pollIntervalMs);
  }

  get started(): boolean {
    return this.loop !== undefined;
  }

  /** Stops the loop and waits for the pass under way. */
  async stop(): Promise<void> {
    if (this.loop) clearInterval(this.loop);
    this.loop = undefined;
    await this.running;
  }
}
