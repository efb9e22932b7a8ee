/**
 * The survey round's SQL, and the only place it lives: roster, tokens and returned forms
 * (tables of migration 1764300000000-survey) and approved exclusions (1764400000000). Writes
 * take the transition's executor (`options.within` of a send, or the `tx` of an `apply:`
 * writer), so a roster, a sample, tokens, a form or an exclusion commit together with the
 * audited event that records them, or not at all. Reads go through `SqlReads`: the database,
 * the engine's read store in a `compute:` function, or a transaction. Plain SQL with `$n`
 * placeholders: runs on SQLite and PostgreSQL alike. No engine table is read here.
 */
import type { DomainStore } from '../../engine/domain-functions';
import type { Database, SqlExecutor } from '../../persistence/database';
import type { Household } from '../../domain/survey/roster';

/** What the repository reads through. */
export type SqlReads = Pick<SqlExecutor, 'rows'>;

export interface StoredHousehold extends Household {
  readonly rowNo: number;
  readonly excludedRef: string | null;
  readonly sampled: boolean;
}

export interface StoredResponse {
  readonly householdId: string;
  readonly channel: 'online' | 'paper';
  readonly answers: { ratings?: Record<string, string | null>; comments?: Record<string, string | null> };
  readonly auditSeq: number;
  readonly recordedBy: string;
  readonly receivedAt: string;
}

export interface TokenRow {
  readonly roundId: string;
  readonly householdId: string;
  readonly usedAt: string | null;
}

interface HouseholdRow {
  household_id: string;
  row_no: number | string;
  building: string;
  unit: string;
  room: string;
  owner_name: string;
  phone: string | null;
  occupied: number | string;
  special_remark: string | null;
  excluded_ref: string | null;
  sampled_seq: number | string | null;
}

const INSERT_BATCH = 200;

export class SurveyRoundRepository {
  constructor(private readonly reads: SqlReads) {}

  /** Reads through the database, each query on its own. */
  static over(db: Database): SurveyRoundRepository {
    return new SurveyRoundRepository({ rows: (sql, params) => db.read((q) => q.rows(sql, params)) });
  }

  /** Reads through the engine's read store, as a `compute:` function gets it. */
  static inFunction(store: DomainStore): SurveyRoundRepository {
    return new SurveyRoundRepository({ rows: (sql, params) => store.query(sql, params) });
  }

  /** Replaces the round's roster (an import before freezing replaces the previous one whole). */
  async replaceRoster(tx: SqlExecutor, roundId: string, households: readonly (Household & { rowNo: number })[], seq: number): Promise<void> {
    await tx.run('DELETE FROM survey_households WHERE round_id = $1', [roundId]);
    for (let start = 0; start < households.length; start += INSERT_BATCH) {
      const batch = households.slice(start, start + INSERT_BATCH);
      const params: unknown[] = [];
      const values = batch.map((h) => {
        const row = [roundId, h.id, h.rowNo, h.building, h.unit, h.room, h.ownerName, h.phone ?? null, h.occupied ? 1 : 0, h.specialRemark || null, seq];
        const marks = row.map((v) => {
          params.push(v);
          return `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await tx.run(
        `INSERT INTO survey_households (round_id, household_id, row_no, building, unit, room, owner_name, phone, occupied, special_remark, import_seq)
         VALUES ${values.join(', ')}`,
        params,
      );
    } // Exclusions approved before the roster was imported (剔除申请 are filed before the roster is provided).
    await tx.run(
      `UPDATE survey_households SET excluded_ref = (SELECT e.request_key FROM survey_exclusions e
         WHERE e.round_id = survey_households.round_id AND e.household_id = survey_households.household_id)
       WHERE round_id = $1 AND EXISTS (SELECT 1 FROM survey_exclusions e
         WHERE e.round_id = survey_households.round_id AND e.household_id = survey_households.household_id)`,
      [roundId],
    );
  }

  /** The round's roster as imported, in file order. */
  async households(roundId: string): Promise<StoredHousehold[]> {
    const rows = await this.reads.rows<HouseholdRow>(
      `SELECT household_id, row_no, building, unit, room, owner_name, phone, occupied, special_remark, excluded_ref, sampled_seq
       FROM survey_households WHERE round_id = $1 ORDER BY row_no`,
      [roundId],
    );
    return rows.map((r) => ({
      id: r.household_id,
      rowNo: Number(r.row_no),
      building: r.building,
      unit: r.unit,
      room: r.room,
      ownerName: r.owner_name,
      ...(r.phone ? { phone: r.phone } : {}),
      occupied: Number(r.occupied) === 1,
      ...(r.special_remark ? { specialRemark: r.special_remark } : {}),
      excludedRef: r.excluded_ref,
      sampled: r.sampled_seq !== null && r.sampled_seq !== undefined,
    }));
  }

  async markSampled(tx: SqlExecutor, roundId: string, householdIds: readonly string[], seq: number): Promise<void> {
    await tx.run('UPDATE survey_households SET sampled_seq = NULL WHERE round_id = $1', [roundId]);
    for (let start = 0; start < householdIds.length; start += INSERT_BATCH) {
      const batch = householdIds.slice(start, start + INSERT_BATCH);
      const marks = batch.map((_, i) => `$${i + 3}`).join(', ');
      await tx.run(`UPDATE survey_households SET sampled_seq = $1 WHERE round_id = $2 AND household_id IN (${marks})`, [seq, roundId, ...batch]);
    }
  }

  async sampledIds(roundId: string): Promise<string[]> {
    const rows = await this.reads.rows<{ household_id: string }>(
      'SELECT household_id FROM survey_households WHERE round_id = $1 AND sampled_seq IS NOT NULL ORDER BY household_id',
      [roundId],
    );
    return rows.map((r) => r.household_id);
  }

  async insertTokens(tx: SqlExecutor, roundId: string, tokens: readonly { hash: string; householdId: string }[], seq: number): Promise<void> {
    for (let start = 0; start < tokens.length; start += INSERT_BATCH) {
      const batch = tokens.slice(start, start + INSERT_BATCH);
      const params: unknown[] = [];
      const values = batch.map((t) => {
        params.push(t.hash, roundId, t.householdId, seq);
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await tx.run(`INSERT INTO survey_tokens (token_hash, round_id, household_id, issued_seq) VALUES ${values.join(', ')}`, params);
    }
  }

  async tokenByHash(hash: string): Promise<TokenRow | undefined> {
    const [row] = await this.reads.rows<{ round_id: string; household_id: string; used_at: string | null }>(
      'SELECT round_id, household_id, used_at FROM survey_tokens WHERE token_hash = $1',
      [hash],
    );
    return row ? { roundId: row.round_id, householdId: row.household_id, usedAt: row.used_at } : undefined;
  }

  async tokenOfHousehold(roundId: string, householdId: string): Promise<TokenRow | undefined> {
    const [row] = await this.reads.rows<{ used_at: string | null }>('SELECT used_at FROM survey_tokens WHERE round_id = $1 AND household_id = $2', [
      roundId,
      householdId,
    ]);
    return row ? { roundId, householdId, usedAt: row.used_at } : undefined;
  }

  /**
   * Spends the household's token (whichever way the form came back): returns false when it was
   * already spent, so a second use can be refused inside the same transaction.
   */
  async spendToken(tx: SqlExecutor, roundId: string, householdId: string, seq: number, at: string): Promise<boolean> {
    const changed = await tx.run('UPDATE survey_tokens SET used_at = $1, used_seq = $2 WHERE round_id = $3 AND household_id = $4 AND used_at IS NULL', [
      at,
      seq,
      roundId,
      householdId,
    ]);
    return changed === 1;
  }

  async insertResponse(tx: SqlExecutor, roundId: string, r: StoredResponse): Promise<void> {
    await tx.run(
      `INSERT INTO survey_responses (round_id, household_id, channel, answers, audit_seq, recorded_by, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [roundId, r.householdId, r.channel, JSON.stringify(r.answers), r.auditSeq, r.recordedBy, r.receivedAt],
    );
  }

  async hasResponse(roundId: string, householdId: string): Promise<boolean> {
    const rows = await this.reads.rows('SELECT 1 AS x FROM survey_responses WHERE round_id = $1 AND household_id = $2', [roundId, householdId]);
    return rows.length > 0;
  }

  async responses(roundId: string): Promise<StoredResponse[]> {
    const rows = await this.reads.rows<{
      household_id: string;
      channel: string;
      answers: string;
      audit_seq: number | string;
      recorded_by: string;
      received_at: string;
    }>('SELECT household_id, channel, answers, audit_seq, recorded_by, received_at FROM survey_responses WHERE round_id = $1 ORDER BY audit_seq', [roundId]);
    return rows.map((r) => ({
      householdId: r.household_id,
      channel: r.channel as 'online' | 'paper',
      answers: JSON.parse(r.answers),
      auditSeq: Number(r.audit_seq),
      recordedBy: r.recorded_by,
      receivedAt: r.received_at,
    }));
  }

  /** The round's exclusions: each household with the request that excluded it. */
  async exclusionsOf(roundId: string): Promise<{ householdId: string; requestKey: string }[]> {
    const rows = await this.reads.rows<{ household_id: string; request_key: string }>(
      'SELECT household_id, request_key FROM survey_exclusions WHERE round_id = $1 ORDER BY household_id',
      [roundId],
    );
    return rows.map((r) => ({ householdId: r.household_id, requestKey: r.request_key }));
  }

  /** Ids of the households on the imported roster (none before the import). */
  async rosterIds(roundId: string): Promise<string[]> {
    const rows = await this.reads.rows<{ household_id: string }>('SELECT household_id FROM survey_households WHERE round_id = $1', [roundId]);
    return rows.map((r) => r.household_id);
  }

  /**
   * The round's row, read inside a writing transaction and locked on PostgreSQL until it commits,
   * so a step of the round (freezing the roster, a hold) cannot interleave with a write about
   * it made by another case's step (SQLite runs one transaction at a time anyway).
   */
  async roundForUpdate(tx: SqlExecutor, roundId: string): Promise<{ state: string; status: string; context: Record<string, unknown> } | undefined> {
    const lock = tx.manager.connection.options.type === 'postgres' ? ' FOR UPDATE' : '';
    const [row] = await tx.rows<{ state: string; status: string; context: string }>(`SELECT state, status, context FROM instances WHERE id = $1${lock}`, [
      roundId,
    ]);
    return row ? { state: row.state, status: row.status, context: JSON.parse(row.context) as Record<string, unknown> } : undefined;
  }

  /** Which of the households are already excluded in the round, and by which request (read inside the writing transaction). */
  async exclusionsAmong(tx: SqlExecutor, roundId: string, householdIds: readonly string[]): Promise<{ householdId: string; requestKey: string }[]> {
    if (householdIds.length === 0) return [];
    const rows = await tx.rows<{ household_id: string; request_key: string }>(
      `SELECT household_id, request_key FROM survey_exclusions WHERE round_id = $1 AND household_id IN (${householdIds.map((_, i) => `$${i + 2}`).join(', ')})`,
      [roundId, ...householdIds],
    );
    return rows.map((r) => ({ householdId: r.household_id, requestKey: r.request_key }));
  }

  /**
   * Records an approved exclusion of households from the round (one row per household and
   * round, so none is excluded twice) and marks them on the imported roster with the request's
   * number; a roster imported later is marked by `replaceRoster`.
   */
  async insertExclusions(
    tx: SqlExecutor,
    roundId: string,
    exclusion: { householdIds: readonly string[]; requestKey: string; reason: string; seq: number; at: string },
  ): Promise<void> {
    for (const household of exclusion.householdIds) {
      await tx.run('INSERT INTO survey_exclusions (round_id, household_id, request_key, reason, applied_seq, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        roundId,
        household,
        exclusion.requestKey,
        exclusion.reason,
        exclusion.seq,
        exclusion.at,
      ]);
      await tx.run('UPDATE survey_households SET excluded_ref = $1 WHERE round_id = $2 AND household_id = $3', [exclusion.requestKey, roundId, household]);
    }
  }
}
