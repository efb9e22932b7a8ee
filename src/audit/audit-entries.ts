/**
 * The SQL of the audit table: appending one entry (inside the transaction of the transition
 * or of a recomputation) and the column list every reader selects, named as `AuditRecord`.
 */
import type { SqlExecutor } from '../persistence/database';
import type { AuditRecord } from './audit-chain';

/** Appends one audit entry (its hash computed by the caller with `auditHash`). */
export async function insertAuditEntry(tx: SqlExecutor, r: AuditRecord, hash: string): Promise<void> {
  await tx.run(
    `INSERT INTO audit_entries (instance_id, seq, event_type, payload, actor, actor_roles, actor_attributes, from_state, to_state, definition_version_id, effects, at, prev_hash, hash, cause)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      r.instanceId,
      r.seq,
      r.eventType,
      r.payload,
      r.actor,
      r.actorRoles,
      r.actorAttributes ?? null,
      r.fromState,
      r.toState,
      r.definitionVersionId,
      r.effects,
      r.at,
      r.prevHash,
      hash,
      r.cause,
    ],
  );
}

/** `SELECT <every AuditRecord field and hash> FROM audit_entries`; append WHERE/ORDER BY. */
export const AUDIT_SELECT = `SELECT instance_id AS "instanceId", seq, event_type AS "eventType", payload, actor, actor_roles AS "actorRoles",
  actor_attributes AS "actorAttributes",
  from_state AS "fromState", to_state AS "toState", definition_version_id AS "definitionVersionId", effects, at,
  prev_hash AS "prevHash", hash, cause FROM audit_entries`;
