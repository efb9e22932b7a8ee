import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Files uploaded to an instance (evidence for an exclusion request, the signed pause form…).
 * Stored base64 in a text column so both drivers keep them alike; the SHA-256 is what an event
 * payload cites, so the audit trail pins the exact file.
 */
export class Attachments1764500000000 implements MigrationInterface {
  name = 'Attachments1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'attachments',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'instance_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'content_type', type: 'varchar', length: '200' },
          { name: 'size', type: 'integer' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'content', type: 'text' },
          { name: 'uploaded_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [{ name: 'ix_attachments_instance', columnNames: ['instance_id', 'created_at'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('attachments');
  }
}
