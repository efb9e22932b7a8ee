/**
 * 抄送: the copies `cc:` actions recorded (one row per person, written with the step's audit
 * entry, `transition-rows.ts`), listed to their recipients with read status, and the read
 * receipt, set when the person opens the case. A copy does not widen who reads a case: a copy
 * shows only to a person the access policy lets read the case.
 */
import type { Clock } from '../common/clock';
import type { Actor } from '../compiler/process-machine.contract';
import type { Database } from '../persistence/database';
import type { InstanceQueryService } from './instance-query.service';
import type { InstanceView } from './instance.types';

export interface CopyView {
  readonly instance: InstanceView;
  /** The audit entry of the step that copied the case, and who took it. */
  readonly seq: number;
  readonly from: string;
  readonly message: string | null;
  readonly copiedAt: string;
  /** The read receipt: when the person first opened the case after the copy; null while unread. */
  readonly readAt: string | null;
}

export class CopiesService {
  constructor(
    private readonly db: Database,
    private readonly instances: InstanceQueryService,
    private readonly clock: Clock,
  ) {}

  /** The copies to this person, newest first (at most `limit`), each with its read status; and how many are unread. */
  async mine(actor: Actor, limit = 100): Promise<{ items: CopyView[]; unread: number }> {
    const rows = await this.db.read((q) =>
      q.rows<{ instance_id: string; audit_seq: number; message: string | null; created_at: string; read_at: string | null; actor: string | null }>(
        `SELECT c.instance_id, c.audit_seq, c.message, c.created_at, c.read_at, a.actor
         FROM case_copies c LEFT JOIN audit_entries a ON a.instance_id = c.instance_id AND a.seq = c.audit_seq
         WHERE c.username = $1 ORDER BY c.created_at DESC, c.audit_seq DESC`,
        [actor.id],
      ),
    );
    const items: CopyView[] = [];
    for (const r of rows) {
      if (items.length >= limit) break;
      let instance: InstanceView;
      try {
        instance = await this.instances.get(r.instance_id, actor);
      } catch {
        continue; // not readable by this person (the copy grants no reading right)
      }
      items.push({
        instance,
        seq: Number(r.audit_seq),
        from: r.actor ?? 'system',
        message: r.message,
        copiedAt: r.created_at,
        readAt: r.read_at,
      });
    }
    return { items, unread: items.filter((i) => i.readAt === null).length };
  }

  /** The read receipt: marks this person's unread copies of the case read (after checking they may read it); how many. */
  async markRead(instanceId: string, actor: Actor): Promise<{ marked: number }> {
    await this.instances.get(instanceId, actor);
    const now = this.clock.now().toISOString();
    const marked = await this.db.transaction((tx) =>
      tx.run('UPDATE case_copies SET read_at = $1 WHERE instance_id = $2 AND username = $3 AND read_at IS NULL', [now, instanceId, actor.id]),
    );
    return { marked };
  }
}
