import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const ts = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '30', isNullable });
const id = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '36', isNullable });

/**
 * The survey round's own rows (definitions/survey-round.yaml): the frozen roster of a round,
 * the single-use answer tokens (SHA-256 only) and the returned forms. Each row names the audit
 * entry (`*_seq`) of the transition that wrote it, in the same transaction.
 */
export class Survey1764300000000 implements MigrationInterface {
  name = 'Survey1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'survey_households',
        columns: [
          { ...id('round_id'), isPrimary: true },
          { name: 'household_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'row_no', type: 'integer' },
          { name: 'building', type: 'varchar', length: '100' },
          { name: 'unit', type: 'varchar', length: '50' },
          { name: 'room', type: 'varchar', length: '50' },
          { name: 'owner_name', type: 'varchar', length: '200' },
          { name: 'phone', type: 'varchar', length: '100', isNullable: true },
          { name: 'occupied', type: 'integer' },
          { name: 'special_remark', type: 'text', isNullable: true },
          { name: 'import_seq', type: 'integer' },
          { name: 'excluded_ref', type: 'varchar', length: '200', isNullable: true },
          { name: 'sampled_seq', type: 'integer', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['round_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'survey_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          id('round_id'),
          { name: 'household_id', type: 'varchar', length: '200' },
          { name: 'issued_seq', type: 'integer' },
          ts('used_at', true),
          { name: 'used_seq', type: 'integer', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['round_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [{ name: 'ux_survey_tokens_household', columnNames: ['round_id', 'household_id'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'survey_responses',
        columns: [
          { ...id('round_id'), isPrimary: true },
          { name: 'household_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '20' },
          { name: 'answers', type: 'text' },
          { name: 'audit_seq', type: 'integer' },
          { name: 'recorded_by', type: 'varchar', length: '200' },
          ts('received_at'),
        ],
        foreignKeys: [{ columnNames: ['round_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('survey_responses');
    await q.dropTable('survey_tokens');
    await q.dropTable('survey_households');
  }
}
