import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Who holds the current step of a case (claim, transfer, reassign; `assignment-service.ts`): at
 * most one row per instance, for the state it was claimed in, written in the transaction that
 * appends the audit entry recording it. Leaving the state removes the row.
 */
export class TaskAssignments1765100100000 implements MigrationInterface {
  name = 'TaskAssignments1765100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'task_assignments',
        columns: [
          { name: 'instance_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'state', type: 'varchar', length: '100' },
          { name: 'assignee', type: 'varchar', length: '100' },
          { name: 'assigned_by', type: 'varchar', length: '100' },
          { name: 'assigned_at', type: 'varchar', length: '30' },
          { name: 'audit_seq', type: 'integer' },
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [{ name: 'ix_task_assignments_assignee', columnNames: ['assignee'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('task_assignments');
  }
}
