/**
 * Fires due timers. Each tick claims a batch of due, unclaimed timers (on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`, so several engine processes never claim the same row), then
 * sends each timer's event as the actor `system` through the ordinary transition path. That
 * transaction also flips the timer from pending to fired, so a timer fires exactly once even
 * if a claim expires and another process picks it up. A claim lasts `claimSeconds`; a
 * process that dies mid-batch leaves its timers to be claimed again after that.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error';
import { Clock } from '../common/clock';
import { Database } from '../persistence/database';
import { InstanceService } from './instance.service';
import { SYSTEM_ACTOR } from './transition-plan';

interface TimerClaim {
  id: string;
  instance_id: string;
  deadline: string;
  event_type: string;
  payload: string;
}

/** Errors that retrying cannot fix: the timer is marked failed with the message. */
const PERMANENT = new Set<ErrorCode>([
  ErrorCode.EventNotAccepted, ErrorCode.GuardRejected, ErrorCode.Forbidden, ErrorCode.PayloadInvalid,
  ErrorCode.ContextInvalid, ErrorCode.ExpressionFailed, ErrorCode.InstanceCompleted, ErrorCode.NotFound,
  ErrorCode.TemplateInvalid, ErrorCode.CalendarDataMissing,
]);

/** Seconds before a timer whose event hit a passing fault (e.g. a version conflict) is tried again. */
const RETRY_SECONDS = 5;

export class TimerRunner {
  private readonly logger = new Logger('timers');
  readonly workerId = `timers-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: Database,
    private readonly instances: InstanceService,
    private readonly clock: Clock,
    private readonly options: { batchSize?: number; claimSeconds?: number } = {},
  ) {}

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
    return this.db.transaction((tx) => tx.rows<TimerClaim>(
      `UPDATE timers SET claimed_by = $1, claimed_until = $2
       WHERE id IN (SELECT id FROM timers WHERE status = 'pending' AND due_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
                    ORDER BY due_at LIMIT ${limit} ${lock})
       RETURNING id, instance_id, deadline, event_type, payload`,
      [this.workerId, until, now.toISOString()]));
  }

  private async fire(timer: TimerClaim): Promise<boolean> {
    try {
      await this.instances.send(
        timer.instance_id,
        { type: timer.event_type, payload: JSON.parse(timer.payload) },
        SYSTEM_ACTOR,
        { timerId: timer.id, cause: { kind: 'timer', timerId: timer.id, deadline: timer.deadline } },
      );
      return true;
    } catch (err) {
      if (err instanceof AppError && PERMANENT.has(err.code)) {
        this.logger.warn(`timer ${timer.deadline} on instance ${timer.instance_id} failed: ${err.message}`);
        await this.db.transaction((tx) => tx.run(
          `UPDATE timers SET status = 'failed', last_error = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2 AND status = 'pending'`,
          [`${err.code}: ${err.message}`, timer.id]));
        return false;
      }
      // A version conflict or a passing database fault: keep the claim a few seconds, then any process retries.
      const retryAt = new Date(this.clock.now().getTime() + RETRY_SECONDS * 1000).toISOString();
      await this.db.transaction((tx) => tx.run(
        `UPDATE timers SET claimed_until = $1, last_error = $2 WHERE id = $3 AND status = 'pending'`,
        [retryAt, err instanceof Error ? err.message : String(err), timer.id]));
      if (!(err instanceof AppError)) this.logger.error(`timer ${timer.id}: ${err instanceof Error ? err.stack : err}`);
      return false;
    }
  }
}
