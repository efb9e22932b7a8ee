/**
 * Read side of what transitions produce besides state: documents, timers, outbox messages,
 * role inboxes and the notice board.
 */
import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error';
import type { IdGenerator } from '../common/ids';
import type { DomainStore, StoredInstance } from './domain-functions';
import { Database } from '../persistence/database';

/** An instance's current data as `instanceSummaries` reads it (no trail, no timers). */
export interface InstanceSummary {
  readonly id: string;
  readonly definition: string;
  /** The definition version the instance runs (its compiled machine: `DefinitionRegistry.machine`). */
  readonly definitionVersionId: string;
  readonly businessKey: string;
  readonly state: string;
  readonly status: 'active' | 'completed';
  readonly context: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DocumentSummary {
  readonly id: string;
  readonly instanceId: string;
  readonly auditSeq: number;
  readonly template: string;
  readonly templateHash: string;
  readonly title: string;
  readonly createdAt: string;
}

const DOC_COLUMNS = `id, instance_id AS "instanceId", audit_seq AS "auditSeq", template, template_hash AS "templateHash", title, created_at AS "createdAt"`;
const TIMER_COLUMNS = `id, instance_id AS "instanceId", state, deadline, event_type AS "eventType", payload, due_at AS "dueAt", status,
  created_seq AS "createdSeq", fired_seq AS "firedSeq", fired_at AS "firedAt", last_error AS "lastError", created_at AS "createdAt", provisional`;
const OUTBOX_COLUMNS = `id, instance_id AS "instanceId", audit_seq AS "auditSeq", kind, params, document_id AS "documentId", status, attempts,
  next_attempt_at AS "nextAttemptAt", last_error AS "lastError", result, delivered_at AS "deliveredAt", created_at AS "createdAt"`;

const num = <T extends Record<string, unknown>>(row: T, ...keys: string[]) => {
  const out: Record<string, unknown> = { ...row };
  for (const k of keys) if (out[k] !== null && out[k] !== undefined) out[k] = Number(out[k]);
  return out;
};
const json = (row: Record<string, unknown>, ...keys: string[]) => {
  for (const k of keys) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k] as string);
  return row;
};

export class RecordsService implements DomainStore {
  constructor(
    private readonly db: Database,
    private readonly ids: IdGenerator,
  ) {}

  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.db.read((q) => q.rows<T>(sql, params));
  }

  /**
   * Every instance of a definition (or just the one with `filter.id`, or those with
   * `filter.status`) with its audit trail and timers: three queries, grouped in memory.
   */
  async instancesOf(definition: string, filter: { id?: string; status?: string } = {}): Promise<StoredInstance[]> {
    const params: unknown[] = [definition];
    let one = '';
    if (filter.id) {
      params.push(filter.id);
      one += ` AND i.id = $${params.length}`;
    }
    if (filter.status) {
      params.push(filter.status);
      one += ` AND i.status = $${params.length}`;
    }
    return this.db.read(async (q) => {
      const instances = await q.rows<Record<string, string>>(
        `SELECT id, business_key, state, status, context, created_at, updated_at FROM instances i WHERE definition_key = $1${one} ORDER BY created_at, id`,
        params,
      );
      const trail = await q.rows<Record<string, string>>(
        `SELECT a.instance_id, a.seq, a.event_type, a.at, a.actor, a.from_state, a.to_state, a.payload FROM audit_entries a
         JOIN instances i ON i.id = a.instance_id WHERE i.definition_key = $1${one} ORDER BY a.instance_id, a.seq`,
        params,
      );
      const timers = await q.rows<Record<string, string | null>>(
        `SELECT t.instance_id, t.event_type, t.due_at, t.status, t.fired_at, t.provisional FROM timers t
         JOIN instances i ON i.id = t.instance_id WHERE i.definition_key = $1${one} ORDER BY t.instance_id, t.created_seq, t.due_at`,
        params,
      );
      const trails = new Map<string, StoredInstance['trail'][number][]>();
      for (const e of trail) {
        const list = trails.get(e.instance_id) ?? [];
        list.push({
          seq: Number(e.seq),
          eventType: e.event_type,
          at: e.at,
          actor: e.actor,
          fromState: e.from_state,
          toState: e.to_state,
          payload: JSON.parse(e.payload),
        });
        trails.set(e.instance_id, list);
      }
      const timerLists = new Map<string, StoredInstance['timers'][number][]>();
      for (const t of timers) {
        const list = timerLists.get(t.instance_id as string) ?? [];
        list.push({
          eventType: t.event_type as string,
          dueAt: t.due_at as string,
          status: t.status as string,
          firedAt: t.fired_at,
          provisional: Number(t.provisional) === 1,
        });
        timerLists.set(t.instance_id as string, list);
      }
      return instances.map((i) => ({
        id: i.id,
        definition,
        businessKey: i.business_key,
        state: i.state,
        status: i.status,
        context: JSON.parse(i.context),
        createdAt: i.created_at,
        updatedAt: i.updated_at,
        trail: trails.get(i.id) ?? [],
        timers: timerLists.get(i.id) ?? [],
      }));
    });
  }

  /**
   * The current data of instances of a definition, without their trails or timers, oldest
   * first: for views and application services that need many instances' state and context, not
   * their history. `filter` narrows to one id, one business key or one status. No access check:
   * the caller decides who may see what (the HTTP routes go through `InstanceService`).
   */
  async instanceSummaries(definition: string, filter: { id?: string; businessKey?: string; status?: string } = {}): Promise<InstanceSummary[]> {
    const params: unknown[] = [definition];
    const where = ['definition_key = $1'];
    if (filter.id) {
      params.push(filter.id);
      where.push(`id = $${params.length}`);
    }
    if (filter.businessKey) {
      params.push(filter.businessKey);
      where.push(`business_key = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    const rows = await this.db.read((q) =>
      q.rows<Record<string, string>>(
        `SELECT id, definition_version_id, business_key, state, status, context, created_at, updated_at FROM instances
       WHERE ${where.join(' AND ')} ORDER BY created_at, id`,
        params,
      ),
    );
    return rows.map((i) => ({
      id: i.id,
      definition,
      definitionVersionId: i.definition_version_id,
      businessKey: i.business_key,
      state: i.state,
      status: i.status === 'completed' ? 'completed' : 'active',
      context: JSON.parse(i.context),
      createdAt: i.created_at,
      updatedAt: i.updated_at,
    }));
  }

  async documents(instanceId: string): Promise<DocumentSummary[]> {
    const rows = await this.db.read((q) =>
      q.rows<DocumentSummary>(`SELECT ${DOC_COLUMNS} FROM documents WHERE instance_id = $1 ORDER BY audit_seq, created_at, id`, [instanceId]),
    );
    return rows.map((r) => num(r as unknown as Record<string, unknown>, 'auditSeq') as unknown as DocumentSummary);
  }

  async document(id: string): Promise<DocumentSummary & { html: string }> {
    const [row] = await this.db.read((q) => q.rows<DocumentSummary & { html: string }>(`SELECT ${DOC_COLUMNS}, html FROM documents WHERE id = $1`, [id]));
    if (!row) throw new AppError(ErrorCode.NotFound, `no document '${id}'`);
    return { ...row, auditSeq: Number(row.auditSeq) };
  }

  async timers(instanceId: string) {
    const rows = await this.db.read((q) =>
      q.rows<Record<string, unknown>>(`SELECT ${TIMER_COLUMNS} FROM timers WHERE instance_id = $1 ORDER BY created_seq, due_at`, [instanceId]),
    );
    return rows.map((r) => json({ ...num(r, 'createdSeq', 'firedSeq'), provisional: Number(r.provisional) === 1 }, 'payload'));
  }

  async outbox(filter: { instanceId?: string; status?: string; limit?: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.instanceId) {
      params.push(filter.instanceId);
      where.push(`instance_id = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    const limit = Math.min(500, Math.max(1, filter.limit ?? 100));
    const rows = await this.db.read((q) =>
      q.rows<Record<string, unknown>>(
        `SELECT ${OUTBOX_COLUMNS} FROM outbox${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${limit}`,
        params,
      ),
    );
    return rows.map((r) => json(num(r, 'auditSeq', 'attempts'), 'params', 'result'));
  }

  /** Inbox items addressed to any of the roles, newest first. */
  async inbox(roles: readonly string[], limit = 100) {
    if (roles.length === 0) return [];
    const marks = roles.map((_, i) => `$${i + 1}`).join(', ');
    return this.db.read((q) =>
      q.rows(
        `SELECT id, role, instance_id AS "instanceId", message, created_at AS "createdAt" FROM inbox_items WHERE role IN (${marks})
       ORDER BY created_at DESC, id LIMIT ${Math.min(500, Math.max(1, limit))}`,
        [...roles],
      ),
    );
  }

  /** Stores a file uploaded to an instance; returns its description (the content is fetched separately). */
  async addAttachment(input: { instanceId: string; name: string; contentType: string; content: Buffer; uploadedBy: string; now: Date }) {
    const row = {
      id: this.ids.uuid(),
      instanceId: input.instanceId,
      name: input.name,
      contentType: input.contentType,
      size: input.content.length,
      sha256: createHash('sha256').update(input.content).digest('hex'),
      uploadedBy: input.uploadedBy,
      createdAt: input.now.toISOString(),
    };
    await this.db.transaction((tx) =>
      tx.run(
        `INSERT INTO attachments (id, instance_id, name, content_type, size, sha256, content, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [row.id, row.instanceId, row.name, row.contentType, row.size, row.sha256, input.content.toString('base64'), row.uploadedBy, row.createdAt],
      ),
    );
    return row;
  }

  async attachments(instanceId: string) {
    const rows = await this.db.read((q) =>
      q.rows<Record<string, unknown>>(
        `SELECT id, instance_id AS "instanceId", name, content_type AS "contentType", size, sha256, uploaded_by AS "uploadedBy", created_at AS "createdAt"
       FROM attachments WHERE instance_id = $1 ORDER BY created_at, id`,
        [instanceId],
      ),
    );
    return rows.map((r) => num(r, 'size'));
  }

  async attachment(id: string): Promise<{ instanceId: string; name: string; contentType: string; content: Buffer }> {
    const [row] = await this.db.read((q) =>
      q.rows<{ instance_id: string; name: string; content_type: string; content: string }>(
        'SELECT instance_id, name, content_type, content FROM attachments WHERE id = $1',
        [id],
      ),
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `no attachment '${id}'`);
    return { instanceId: row.instance_id, name: row.name, contentType: row.content_type, content: Buffer.from(row.content, 'base64') };
  }

  async notices(limit = 100) {
    return this.db.read((q) =>
      q.rows(
        `SELECT n.id, n.instance_id AS "instanceId", n.document_id AS "documentId", n.title, n.posted_at AS "postedAt"
       FROM notices n ORDER BY n.posted_at DESC, n.id LIMIT ${Math.min(500, Math.max(1, limit))}`,
      ),
    );
  }
}
