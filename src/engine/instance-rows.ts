/**
 * The instance row as stored and as the API shows it, shared by the write path and the query
 * side: one SELECT, one mapping, so both read an instance the same way.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { AuditRecord } from '../audit/audit-chain';
import type { SqlExecutor } from '../persistence/database';
import type { AuditEntryView, InstanceView } from './instance.types';

export interface InstanceRow {
  id: string;
  definition_key: string;
  definition_version_id: string;
  definition_version: number | string;
  business_key: string;
  state: string;
  context: string;
  status: 'active' | 'completed';
  version: number | string;
  audit_seq: number | string;
  audit_head: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  parent_id: string | null;
}

/** The instance columns plus its definition's version number; append WHERE/ORDER BY. */
export const INSTANCE_SELECT = `SELECT i.*, d.version AS definition_version FROM instances i JOIN definition_versions d ON d.id = i.definition_version_id`;

export function toInstanceView(row: InstanceRow): InstanceView {
  return {
    id: row.id,
    definition: row.definition_key,
    definitionVersion: Number(row.definition_version),
    definitionVersionId: row.definition_version_id,
    businessKey: row.business_key,
    state: row.state,
    status: row.status,
    context: JSON.parse(row.context),
    version: Number(row.version),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    parentId: row.parent_id ?? null,
  };
}

/** One instance row; NotFound when there is none. */
export async function loadInstanceRow(q: SqlExecutor, instanceId: string): Promise<InstanceRow> {
  const [row] = await q.rows<InstanceRow>(`${INSTANCE_SELECT} WHERE i.id = $1`, [instanceId]);
  if (!row) throw new AppError(ErrorCode.NotFound, `no instance '${instanceId}'`);
  return row;
}

export function toAuditView(r: AuditRecord & { hash: string }): AuditEntryView {
  return {
    instanceId: r.instanceId,
    seq: Number(r.seq),
    eventType: r.eventType,
    payload: JSON.parse(r.payload),
    actor: r.actor,
    actorRoles: JSON.parse(r.actorRoles),
    ...(r.actorAttributes ? { actorAttributes: JSON.parse(r.actorAttributes) } : {}),
    fromState: r.fromState,
    toState: r.toState,
    definitionVersionId: r.definitionVersionId,
    effects: JSON.parse(r.effects),
    at: r.at,
    prevHash: r.prevHash,
    hash: r.hash,
    cause: r.cause ? JSON.parse(r.cause) : null,
  };
}
