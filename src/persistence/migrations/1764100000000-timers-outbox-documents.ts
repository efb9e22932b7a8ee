import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

const ts = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '30', isNullable });
const id = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '36', isNullable });

/**
 * Deadlines, documents and notices: durable timers, the outbox of effects delivered after
 * commit, rendered documents, role inboxes, the notice board, recurring schedules; plus the
 * parent link between instances and the cause of an audit entry (which timer, outbox
 * message or schedule sent the event).
 */
export class TimersOutboxDocuments1764100000000 implements MigrationInterface {
  name = 'TimersOutboxDocuments1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('instances', new TableColumn({ ...id('parent_id', true) }));
    await q.createIndex('instances', new TableIndex({ name: 'ix_instance_parent', columnNames: ['parent_id'] }));
    await q.addColumn('audit_entries', new TableColumn({ name: 'cause', type: 'text', isNullable: true }));

    await q.createTable(
      new Table({
        name: 'timers',
        columns: [
          { ...id('id'), isPrimary: true },
          id('instance_id'),
          { name: 'state', type: 'varchar', length: '100' },
          { name: 'deadline', type: 'varchar', length: '200' },
          { name: 'event_type', type: 'varchar', length: '100' },
          { name: 'payload', type: 'text' },
          ts('due_at'),
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'created_seq', type: 'integer' },
          { name: 'fired_seq', type: 'integer', isNullable: true },
          ts('fired_at', true),
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'claimed_by', type: 'varchar', length: '100', isNullable: true },
          ts('claimed_until', true),
          ts('created_at'),
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [
          { name: 'ix_timers_due', columnNames: ['status', 'due_at'] },
          { name: 'ix_timers_instance', columnNames: ['instance_id', 'status'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'documents',
        columns: [
          { ...id('id'), isPrimary: true },
          id('instance_id'),
          { name: 'audit_seq', type: 'integer' },
          { name: 'template', type: 'varchar', length: '200' },
          { name: 'template_hash', type: 'varchar', length: '64' },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'html', type: 'text' },
          ts('created_at'),
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [{ name: 'ix_documents_instance', columnNames: ['instance_id', 'audit_seq'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outbox',
        columns: [
          { ...id('id'), isPrimary: true },
          id('instance_id'),
          { name: 'audit_seq', type: 'integer' },
          { name: 'kind', type: 'varchar', length: '30' },
          { name: 'params', type: 'text' },
          id('document_id', true),
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'attempts', type: 'integer' },
          ts('next_attempt_at'),
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'result', type: 'text', isNullable: true },
          ts('delivered_at', true),
          { name: 'claimed_by', type: 'varchar', length: '100', isNullable: true },
          ts('claimed_until', true),
          ts('created_at'),
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [
          { name: 'ix_outbox_due', columnNames: ['status', 'next_attempt_at'] },
          { name: 'ix_outbox_instance', columnNames: ['instance_id', 'audit_seq'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'inbox_items',
        columns: [
          { ...id('id'), isPrimary: true },
          { name: 'role', type: 'varchar', length: '100' },
          id('instance_id'),
          { name: 'message', type: 'text' },
          ts('created_at'),
        ],
        indices: [{ name: 'ix_inbox_role', columnNames: ['role', 'created_at'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'notices',
        columns: [{ ...id('id'), isPrimary: true }, id('instance_id'), id('document_id'), { name: 'title', type: 'varchar', length: '300' }, ts('posted_at')],
        indices: [{ name: 'ix_notices_posted', columnNames: ['posted_at'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'schedules',
        columns: [
          { name: 'definition_key', type: 'varchar', length: '100', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          ts('next_run_at'),
          ts('last_run_at', true),
          { name: 'last_error', type: 'text', isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['schedules', 'notices', 'inbox_items', 'outbox', 'documents', 'timers']) await q.dropTable(table);
    await q.dropColumn('audit_entries', 'cause');
    await q.dropIndex('instances', 'ix_instance_parent');
    await q.dropColumn('instances', 'parent_id');
  }
}
