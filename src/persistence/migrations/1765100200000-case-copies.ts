import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * 抄送 (`cc:` actions): one row per person a step copied the case to, written in the
 * transaction that appends the step's audit entry (its `audit_seq`); `read_at` is the read
 * receipt, set when the person first opens the case after the copy.
 */
export class CaseCopies1765100200000 implements MigrationInterface {
  name = 'CaseCopies1765100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'case_copies',
        columns: [
          { name: 'instance_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'audit_seq', type: 'integer', isPrimary: true },
          { name: 'username', type: 'varchar', length: '100', isPrimary: true },
          { name: 'message', type: 'text', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'read_at', type: 'varchar', length: '30', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [{ name: 'ix_case_copies_username', columnNames: ['username', 'created_at'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('case_copies');
  }
}
