import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Approved exclusion requests (剔除申请) per survey round: which household, by which request,
 * for what reason, written by the round's own audited transition. A household appears at most
 * once per round (the primary key), so it cannot be excluded twice.
 */
export class SurveyExclusions1764400000000 implements MigrationInterface {
  name = 'SurveyExclusions1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'survey_exclusions',
        columns: [
          { name: 'round_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'household_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'request_key', type: 'varchar', length: '200' },
          { name: 'reason', type: 'text' },
          { name: 'applied_seq', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
        foreignKeys: [{ columnNames: ['round_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('survey_exclusions');
  }
}
