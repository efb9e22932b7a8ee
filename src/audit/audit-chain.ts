/**
 * The tamper-evident audit chain. Each instance has its own chain: entry n stores the hash of
 * entry n-1 (`prevHash`, all zeros for the first) and its own hash, a SHA-256 over the
 * canonical JSON (RFC 8785) of every recorded field plus `prevHash`. The instance row keeps
 * the head (last seq and hash), so removing the newest entries is detected too.
 *
 * A chain per instance, not one global chain, keeps writers to different instances
 * independent when many engine processes share one PostgreSQL database.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields an audit entry records, as stored (JSON fields already as text). */
export interface AuditRecord {
  readonly instanceId: string;
  readonly seq: number;
  readonly eventType: string;
  readonly payload: string;
  readonly actor: string;
  readonly actorRoles: string;
  /** JSON of the actor's attributes, or null when the actor had none. */
  readonly actorAttributes?: string | null;
  readonly fromState: string | null;
  readonly toState: string;
  readonly definitionVersionId: string;
  readonly effects: string;
  readonly at: string;
  readonly prevHash: string;
  /** JSON of what sent the event when no person did (timer, outbox message, schedule), else null. */
  readonly cause: string | null;
}

/** SHA-256 (hex) of an audit record: what `hash` must equal. */
export function auditHash(record: AuditRecord): string {
  const canonical = canonicalize({
    instanceId: record.instanceId,
    seq: record.seq,
    eventType: record.eventType,
    payload: record.payload,
    actor: record.actor,
    actorRoles: record.actorRoles,
    fromState: record.fromState,
    toState: record.toState,
    definitionVersionId: record.definitionVersionId,
    effects: record.effects,
    at: record.at,
    prevHash: record.prevHash,
    cause: record.cause ?? null,
    // Only present when set, so entries written before attributes existed keep their hash.
    ...(record.actorAttributes ? { actorAttributes: record.actorAttributes } : {}),
  });
  return createHash('sha256')
    .update(canonical as string, 'utf8')
    .digest('hex');
}

export interface ChainBreak {
  readonly instanceId: string;
  readonly seq: number;
  readonly reason: string;
}

/**
 * Checks one instance's entries (ordered by seq) against each other and against the head
 * kept on the instance row. Returns the first entry that does not match, or undefined.
 */
export function verifyInstanceChain(
  instanceId: string,
  entries: readonly (AuditRecord & { readonly hash: string })[],
  head: { readonly seq: number; readonly hash: string },
): ChainBreak | undefined {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) {
      return { instanceId, seq: expectedSeq, reason: `entry ${expectedSeq} is missing (found ${entry.seq} next)` };
    }
    if (entry.prevHash !== prev) {
      return { instanceId, seq: entry.seq, reason: 'its previous-hash does not match the entry before it' };
    }
    if (auditHash(entry) !== entry.hash) {
      return { instanceId, seq: entry.seq, reason: 'its content does not match its hash (the row was changed)' };
    }
    prev = entry.hash;
    expectedSeq += 1;
  }
  if (head.seq !== expectedSeq - 1 || head.hash !== prev) {
    return {
      instanceId,
      seq: expectedSeq,
      reason: `the instance records ${head.seq} entries ending in ${head.hash.slice(0, 12)}…, the trail has ${expectedSeq - 1}`,
    };
  }
  return undefined;
}
