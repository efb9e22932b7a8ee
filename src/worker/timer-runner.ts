/**
 * Owns firing due timers (the `timers` rows the write path armed). Each tick claims a batch of
 * due, unclaimed timers (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several engine
 * processes never claim the same row), then sends each timer's event as the actor `system`
 * through the ordinary transition path. That transaction also flips the timer from pending to
 * fired, so a timer fires exactly once even if a claim expires and another process picks it
 * up. A claim lasts `claimSeconds`; a process that dies mid-batch leaves its timers to be
 * claimed again after that.
 *
 * Retry or give up comes from the error model (`isRetryable`): a version conflict or a passing
 * database fault keeps the timer pending and tries again in a few seconds; an error no retry can
 * change (the event is no longer accepted, the instance completed, ...) marks it failed with the
 * reason, visible on `GET /instances/:id/timers`.
 */
import { AppError, isRetryable } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { IdGenerator } from '../common/ids';
import type { Log } from '../common/logging';
import type { TransitionService } from '../engine/transition.service';
import { SYSTEM_ACTOR } from '../engine/transition-plan';
import type { Database } from '../persistence/database';

interface TimerClaim {
  id: string;
  instance_id: string;
  deadline: string;
  event_type: string;
  payload: string;
}

/** Seconds before a timer whose event hit a passing fault (e.g. a version conflict) is tried again. */
export const TIMER_RETRY_SECONDS = 5;

export interface TimerRunnerOptions {
  readonly batchSize?: number;
  readonly claimSeconds?: number;
}

export class TimerRunner {
  /** Names this process's claims (`claimed_by`). */
  readonly workerId: string;

  constructor(
    private readonly db: Database,
    private readonly transitions: Pick<TransitionService, 'send'>,
    private readonly clock: Clock,
    ids: IdGenerator,
    private readonly log: Log,
    private readonly options: TimerRunnerOptions = {},
  ) {
    this.workerId = `timers-${process.pid}-${ids.uuid().slice(-8)}`;
  }

  /** Claims and fires due timers until none is left; returns how many fired. */
  async tick(): Promise<number> {
    let fired = 0;
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) return fired;
      for (const timer of batch) if (await this.fire(timer)) fired += 1;
    }
  }

  private async claim(): Promise<TimerClaim[]> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + (this.options.claimSeconds ?? 60) * 1000).toISOString();
    const limit = this.options.batchSize ?? 50;
    const lock = this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    return this.db.transaction((tx) =>
      tx.rows<TimerClaim>(
        `UPDATE timers SET claimed_by = $1, claimed_until = $2
       WHERE id IN (SELECT id FROM timers WHERE status = 'pending' AND due_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
                    ORDER BY due_at LIMIT ${limit} ${lock})
       RETURNING id, instance_id, deadline, event_type, payload`,
        [this.workerId, until, now.toISOString()],
      ),
    );
  }

  private async fire(timer: TimerClaim): Promise<boolean> {
    try {
      await this.transitions.send(timer.instance_id, { type: timer.event_type, payload: JSON.parse(timer.payload) }, SYSTEM_ACTOR, {
        timerId: timer.id,
        cause: { kind: 'timer', timerId: timer.id, deadline: timer.deadline },
      });
      return true;
    } catch (err) {
      if (!isRetryable(err)) {
        const { code, message } = err as AppError;
        this.log.warn(`timer ${timer.deadline} on instance ${timer.instance_id} failed: ${message}`);
        await this.db.transaction((tx) =>
          tx.run(`UPDATE timers SET status = 'failed', last_error = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2 AND status = 'pending'`, [
            `${code}: ${message}`,
            timer.id,
          ]),
        );
        return false;
      }
      // Keep the claim a few seconds, then any process tries again.
      const retryAt = new Date(this.clock.now().getTime() + TIMER_RETRY_SECONDS * 1000).toISOString();
      await this.db.transaction((tx) =>
        tx.run(`UPDATE timers SET claimed_until = $1, last_error = $2 WHERE id = $3 AND status = 'pending'`, [
          retryAt,
          err instanceof Error ? err.message : String(err),
          timer.id,
        ]),
      );
      if (!(err instanceof AppError)) this.log.error(`timer ${timer.id}: ${err instanceof Error ? err.stack : err}`);
      return false;
    }
  }
}
