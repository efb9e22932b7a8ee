import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Instances of one definition by status: the records read side loads the trails of active
 * instances only (e.g. the complaint working view), so finished ones are not read in full.
 */
export class InstanceStatusIndex1764900000000 implements MigrationInterface {
  name = 'InstanceStatusIndex1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('instances', new TableIndex({ name: 'ix_instance_status', columnNames: ['definition_key', 'status'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('instances', 'ix_instance_status');
  }
}
