/**
 * Walks every instance's audit chain and reports the first entry that does not match.
 * Reads instances in pages (keyset on id), so memory stays flat on large databases.
 */
import { Database } from '../persistence/database';
import { AUDIT_SELECT } from './audit-entries';
import { verifyInstanceChain, type AuditRecord, type ChainBreak } from './audit-chain';

export interface VerificationReport {
  readonly ok: boolean;
  readonly instancesChecked: number;
  readonly entriesChecked: number;
  /** The first broken entry found (instances in id order), if any. */
  readonly firstBroken?: ChainBreak;
  /** Every instance whose chain is broken, with its first bad entry (at most 100 listed). */
  readonly broken: readonly ChainBreak[];
}

const PAGE = 200;

export class AuditVerifier {
  constructor(private readonly db: Database) {}

  async verify(options: { instanceId?: string } = {}): Promise<VerificationReport> {
    let after = '';
    let instancesChecked = 0;
    let entriesChecked = 0;
    const broken: ChainBreak[] = [];
    for (;;) {
      const instances = await this.db.read((q) =>
        options.instanceId
          ? q.rows<{ id: string; audit_seq: number | string; audit_head: string }>(
              'SELECT id, audit_seq, audit_head FROM instances WHERE id = $1 AND id > $2',
              [options.instanceId, after],
            )
          : q.rows<{ id: string; audit_seq: number | string; audit_head: string }>(
              `SELECT id, audit_seq, audit_head FROM instances WHERE id > $1 ORDER BY id LIMIT ${PAGE}`,
              [after],
            ),
      );
      if (instances.length === 0) break;
      for (const instance of instances) {
        const entries = await this.db.read((q) => q.rows<AuditRecord & { hash: string }>(`${AUDIT_SELECT} WHERE instance_id = $1 ORDER BY seq`, [instance.id]));
        const normalized = entries.map((e) => ({ ...e, seq: Number(e.seq) }));
        const fault = verifyInstanceChain(instance.id, normalized, { seq: Number(instance.audit_seq), hash: instance.audit_head });
        if (fault && broken.length < 100) broken.push(fault);
        instancesChecked += 1;
        entriesChecked += entries.length;
      }
      after = instances[instances.length - 1].id;
      if (options.instanceId) break;
    }
    return { ok: broken.length === 0, instancesChecked, entriesChecked, firstBroken: broken[0], broken };
  }
}
