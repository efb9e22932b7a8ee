import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Correlation values of instances (`correlation:` of a definition): one row per instance and
 * declared field, written in the transaction that writes the instance row. An `emit … where:`
 * finds the receiving cases through the index on (definition, field, SHA-256 of the value),
 * an exact match on data; the value itself is kept for reading. Replaces finding related
 * cases by a business-key prefix.
 */
export class InstanceCorrelations1765012000000 implements MigrationInterface {
  name = 'InstanceCorrelations1765012000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'instance_correlations',
        columns: [
          { name: 'instance_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'definition_key', type: 'varchar', length: '100' },
          { name: 'value', type: 'text' },
          { name: 'value_hash', type: 'varchar', length: '64' },
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
        indices: [{ name: 'ix_instance_correlations_lookup', columnNames: ['definition_key', 'name', 'value_hash'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('instance_correlations');
  }
}
