/**
 * Owns delivering the outbox after commit: email (through the mail port in `notices/`), role
 * inboxes, the notice board, events to other instances, child instances. Messages are claimed
 * like timers (SKIP LOCKED on PostgreSQL), delivered at least once, and made idempotent at the
 * receiver: inbox and notice rows use the outbox id as their key, emails carry it as
 * Message-ID, and events/starts to other instances carry it as their idempotency key.
 *
 * Events and starts for other instances are delivered as `process:<key>` of the sending
 * instance's process, never as `system`: the receiving definition version must accept them
 * from that key (`from:` on the event, `start.from`), checked by the engine at delivery as it
 * was at upload; otherwise the message is undeliverable with the reason.
 *
 * Retry or give up comes from the error model (`isRetryable`): a failure that may pass (a
 * version conflict at the receiver, the mail server away, a database fault) is retried with
 * exponential backoff; one no retry can change (the event is not accepted, the message has no
 * recipient, another process's event or start the receiver does not accept from it, ...)
 * fails at once. Either way the status, attempts and last error stay visible
 * through the API; after `maxAttempts` the message is `failed`.
 *
 * A failed message is an effect of a step already answered to a person ("approved", "raised"):
 * it must not fail silently. When the dispatcher gives up, the same transaction puts a notice
 * in the inbox of each role the step's sender held (the administrators' when the engine or
 * another process took the step), naming the case, the step, what could not be done and why in
 * people's words. Domain data a decision changes belongs in the decision's own transaction
 * (`apply:`); this is for the effects that can still fail after it.
 */
import { AppError, ErrorCode, isRetryable } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { IdGenerator } from '../common/ids';
import type { Log } from '../common/logging';
import type { InstanceQueryService } from '../engine/instance-query.service';
import type { InstanceView } from '../engine/instance.types';
import type { Cause, TransitionService } from '../engine/transition.service';
import { processActor } from '../engine/transition-plan';
import type { Mailer } from '../notices/mailer';
import type { Database, SqlExecutor } from '../persistence/database';
import { createHash } from 'node:crypto';

interface OutboxClaim {
  id: string;
  instance_id: string;
  audit_seq: number | string;
  kind: string;
  params: string;
  document_id: string | null;
  attempts: number | string;
}

/** An emit's `where:` as evaluated: correlation keys and their values. */
const isCorrelation = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0;

/** A message that cannot be delivered as written: retrying cannot help. */
const undeliverable = (message: string) => new AppError(ErrorCode.Undeliverable, message);

export interface OutboxOptions {
  readonly maxAttempts?: number;
  /** First retry delay; doubles with each attempt, capped at one hour. */
  readonly baseDelaySeconds?: number;
  readonly batchSize?: number;
  readonly claimSeconds?: number;
}

/** Delay before attempt n+1 after n failed attempts: base · 2^(n-1), at most an hour. */
export function backoffSeconds(attempts: number, baseDelaySeconds: number): number {
  return Math.min(3600, baseDelaySeconds * 2 ** Math.max(0, attempts - 1));
}

export class OutboxDispatcher {
  /** Names this process's claims (`claimed_by`). */
  readonly workerId: string;

  constructor(
    private readonly db: Database,
    private readonly transitions: Pick<TransitionService, 'create' | 'send'>,
    private readonly instances: Pick<InstanceQueryService, 'byId' | 'activeIds' | 'stepOf' | 'eventTitle'>,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    ids: IdGenerator,
    private readonly log: Log,
    private readonly options: OutboxOptions = {},
  ) {
    this.workerId = `outbox-${process.pid}-${ids.uuid().slice(-8)}`;
  }

  /** Claims and delivers due messages until none is left; returns how many were delivered. */
  async tick(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) return delivered;
      for (const message of batch) if (await this.deliver(message)) delivered += 1;
    }
  }

  private claim(): Promise<OutboxClaim[]> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + (this.options.claimSeconds ?? 120) * 1000).toISOString();
    const lock = this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    return this.db.transaction((tx) =>
      tx.rows<OutboxClaim>(
        `UPDATE outbox SET claimed_by = $1, claimed_until = $2
       WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
                    ORDER BY created_at LIMIT ${this.options.batchSize ?? 50} ${lock})
       RETURNING id, instance_id, audit_seq, kind, params, document_id, attempts`,
        [this.workerId, until, now.toISOString()],
      ),
    );
  }

  private async deliver(message: OutboxClaim): Promise<boolean> {
    const params = JSON.parse(message.params) as Record<string, unknown>;
    try {
      const result = await this.handle(message, params);
      await this.db.transaction((tx) =>
        tx.run(
          `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, result = $2, last_error = NULL,
                claimed_by = NULL, claimed_until = NULL WHERE id = $3`,
          [this.clock.now().toISOString(), JSON.stringify(result ?? null), message.id],
        ),
      );
      return true;
    } catch (err) {
      const permanent = !isRetryable(err);
      const text = err instanceof AppError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
      const attempts = Number(message.attempts) + 1;
      const gaveUp = permanent || attempts >= (this.options.maxAttempts ?? 8);
      const next = new Date(this.clock.now().getTime() + backoffSeconds(attempts, this.options.baseDelaySeconds ?? 30) * 1000);
      // A partly delivered broadcast keeps what it did deliver visible beside the error.
      const partial = err instanceof AppError && err.details && 'result' in err.details ? JSON.stringify(err.details.result) : null;
      // A notice cannot report its own failure through the inbox.
      const notice = gaveUp && message.kind !== 'notify' ? await this.failureNotice(message, params, err) : undefined;
      await this.db.transaction(async (tx) => {
        await tx.run(
          `UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, result = COALESCE($5, result), claimed_by = NULL, claimed_until = NULL WHERE id = $6`,
          [gaveUp ? 'failed' : 'pending', attempts, next.toISOString(), text, partial, message.id],
        );
        for (const role of notice?.roles ?? []) {
          await insertIgnore(tx, 'INSERT INTO inbox_items (id, role, instance_id, message, created_at) VALUES ($1, $2, $3, $4, $5)', [
            failureNoticeId(message.id, role),
            role,
            message.instance_id,
            notice?.message ?? '',
            this.clock.now().toISOString(),
          ]);
        }
      });
      this.log.warn(`${message.kind} ${message.id} (instance ${message.instance_id}) attempt ${attempts} failed${gaveUp ? ', giving up' : ''}: ${text}`);
      return false;
    }
  }

  /**
   * The notice for people when a message is given up: to the roles the step's sender held
   * (`admin` when no person took the step), in Chinese, with the error's message for people.
   * Reading what to say must not keep the failure from being recorded: on a fault it says less.
   */
  private async failureNotice(message: OutboxClaim, params: Record<string, unknown>, err: unknown): Promise<{ roles: string[]; message: string }> {
    const why = err instanceof AppError ? err.userMessage : '系统多次重试仍未完成。';
    try {
      const step = await this.instances.stepOf(message.instance_id, Number(message.audit_seq));
      const people = step.roles.filter((r) => r !== 'system' && r !== 'process');
      const what = await this.effectForPeople(message.kind, params, step.definition);
      return {
        roles: people.length > 0 ? people : ['admin'],
        message: `${step.definitionTitle} ${step.businessKey} 的“${step.eventTitle}”已办理，但其后续操作未能生效（${what}）：${why}请核对相关事项，必要时请流程负责人处理。`,
      };
    } catch {
      return { roles: ['admin'], message: `一项已办理事项的后续操作未能生效：${why}请在该事项的待发送记录中查看原因。` };
    }
  }

  /** What the message was to do, as people say it. */
  private async effectForPeople(kind: string, params: Record<string, unknown>, sender: string): Promise<string> {
    switch (kind) {
      case 'emit': {
        if (params.to === 'parent') return `通知上级事项“${String(params.event)}”`;
        const target = await this.instances.eventTitle(
          typeof params.definition === 'string' && params.definition ? params.definition : sender,
          String(params.event),
        );
        return `向“${target.definitionTitle}”发送“${target.eventTitle}”`;
      }
      case 'start': {
        const target = await this.instances.eventTitle(String(params.definition), '');
        return `新建“${target.definitionTitle}” ${String(params.businessKey)}`;
      }
      case 'email':
        return `发送邮件“${String(params.subject ?? '')}”`;
      case 'post':
        return `张贴公告“${String(params.title ?? '')}”`;
      default:
        return kind;
    }
  }

  private async handle(message: OutboxClaim, params: Record<string, unknown>): Promise<unknown> {
    const seq = Number(message.audit_seq);
    const cause = { kind: 'outbox' as const, outboxId: message.id, instanceId: message.instance_id, seq };
    if (message.kind === 'emit' || message.kind === 'start') {
      // The sender is the process of the instance that wrote the message, as stored: never
      // anything the message's parameters say. The receiver must accept it from that key.
      const source = await this.instances.byId(message.instance_id);
      return message.kind === 'emit'
        ? this.emit(message, params, source, { ...cause, definition: source.definition })
        : this.start(message, params, source.definition, { ...cause, definition: source.definition });
    }
    switch (message.kind) {
      case 'email': {
        const html = await this.documentHtml(message.document_id);
        const to = (params.to as string[]) ?? [];
        if (to.length === 0) throw undeliverable('the email has no recipient (the "to" expression gave nothing)');
        return this.mailer.send({
          to,
          cc: (params.cc as string[]) ?? [],
          subject: String(params.subject ?? ''),
          html,
          messageId: `<${message.id}@workflow-engine>`,
        });
      }
      case 'notify':
        return this.db.transaction((tx) =>
          insertIgnore(tx, 'INSERT INTO inbox_items (id, role, instance_id, message, created_at) VALUES ($1, $2, $3, $4, $5)', [
            message.id,
            String(params.role),
            message.instance_id,
            String(params.message ?? ''),
            this.clock.now().toISOString(),
          ]),
        );
      case 'post':
        if (!message.document_id) throw undeliverable('a notice needs a rendered document');
        return this.db.transaction((tx) =>
          insertIgnore(tx, 'INSERT INTO notices (id, instance_id, document_id, title, posted_at) VALUES ($1, $2, $3, $4, $5)', [
            message.id,
            message.instance_id,
            message.document_id,
            String(params.title ?? '').slice(0, 300),
            this.clock.now().toISOString(),
          ]),
        );
      default:
        throw undeliverable(`unknown outbox kind '${message.kind}'`);
    }
  }

  /**
   * Sends the event to its targets as `process:<sender key>`. Sent to the instances found by
   * correlation values (`where:`), the event goes to those that accept it now; the others are listed as
   * skipped. A target whose definition does not accept the event from the sender (`from:`)
   * refuses it: the message is then undeliverable (not retried), naming each refusal, after
   * the targets that accept it got it. Redelivery is safe: each target has its own key.
   */
  private async emit(message: OutboxClaim, params: Record<string, unknown>, source: InstanceView, cause: Cause): Promise<unknown> {
    const targets = await this.targets(source, params);
    const broadcast = isCorrelation(params.where);
    const results = [];
    const skipped = [];
    const refused = [];
    for (const target of targets) {
      try {
        const r = await this.transitions.send(
          target,
          { type: String(params.event), payload: (params.payload as Record<string, unknown>) ?? {}, idempotencyKey: `outbox:${message.id}:${target}` },
          processActor(source.definition),
          { cause, fromProcess: source.definition },
        );
        results.push({ instanceId: target, state: r.state, version: r.version });
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.Forbidden) {
          refused.push({ instanceId: target, reason: err.message });
          continue;
        }
        if (!(broadcast && err instanceof AppError && (err.code === ErrorCode.EventNotAccepted || err.code === ErrorCode.InstanceCompleted))) throw err;
        skipped.push({ instanceId: target, reason: err.message });
      }
    }
    const result = { delivered: results, ...(skipped.length ? { skipped } : {}), ...(refused.length ? { refused } : {}) };
    if (refused.length > 0) {
      throw new AppError(
        ErrorCode.Undeliverable,
        `'${String(params.event)}' from '${source.definition}' (instance ${source.id}) was refused by ${refused.map((r) => `instance ${r.instanceId}: ${r.reason}`).join('; ')}`,
        { result },
      );
    }
    return result;
  }

  /** Starts a child instance as `process:<sender key>`; the started definition must accept it (`start.from`). */
  private async start(message: OutboxClaim, params: Record<string, unknown>, sender: string, cause: Cause): Promise<unknown> {
    try {
      const { instance } = await this.transitions.create(
        {
          definition: String(params.definition),
          businessKey: String(params.businessKey),
          context: (params.context as Record<string, unknown>) ?? {},
          idempotencyKey: `outbox:${message.id}`,
        },
        processActor(sender),
        { cause, parentId: message.instance_id, fromProcess: sender },
      );
      return { instanceId: instance.id, state: instance.state };
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.Forbidden) {
        throw undeliverable(`starting '${String(params.definition)}' from '${sender}' (instance ${message.instance_id}) was refused: ${err.message}`);
      }
      throw err;
    }
  }

  /**
   * `to: parent` → the parent instance; `to: <key>` → the active instance with exactly that
   * business key; `where: {…}` → every active instance of the definition whose correlation
   * values are exactly these (possibly none). No prefix of a business key reaches anything.
   */
  private async targets(source: InstanceView, params: Record<string, unknown>): Promise<string[]> {
    const sourceId = source.id;
    if (params.to === 'parent') {
      if (!source.parentId) throw undeliverable('emit to parent: this instance has no parent');
      return [source.parentId];
    }
    const definition = typeof params.definition === 'string' && params.definition ? params.definition : source.definition;
    if (isCorrelation(params.where)) return this.instances.activeIds({ definition, where: params.where, excluding: sourceId });
    const to = String(params.to);
    const ids = await this.instances.activeIds({ definition, businessKey: to });
    if (ids.length === 0) {
      const hint = to.endsWith('*')
        ? ": a business key is matched exactly, never as a prefix; find related cases with 'where:' on correlation keys the receiving process declares"
        : '';
      throw undeliverable(`emit: no active '${definition}' instance with business key '${to}'${hint}`);
    }
    return ids;
  }

  private async documentHtml(documentId: string | null): Promise<string> {
    if (!documentId) throw undeliverable('the email has no rendered body');
    const [row] = await this.db.read((q) => q.rows<{ html: string }>('SELECT html FROM documents WHERE id = $1', [documentId]));
    if (!row) throw undeliverable(`document ${documentId} is missing`);
    return row.html;
  }
}

/** Inserts a row keyed by the outbox id; a redelivery finds it there and changes nothing. */
async function insertIgnore(tx: SqlExecutor, sql: string, params: unknown[]): Promise<{ inserted: boolean }> {
  const inserted = await tx.run(`${sql} ON CONFLICT (id) DO NOTHING`, params);
  return { inserted: inserted === 1 };
}

/** The id of the failure notice to one role: derived from the message, so a second attempt to record it adds nothing. */
function failureNoticeId(outboxId: string, role: string): string {
  const h = createHash('sha256').update(`${outboxId}:failed:${role}`, 'utf8').digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
