import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const ts = (name: string) => ({ name, type: 'varchar', length: '30' });

/** The engine core's tables: definition versions, instances, audit chain, users, tokens, idempotency. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'definition_versions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'key', type: 'varchar', length: '100' },
          { name: 'version', type: 'integer' },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'file', type: 'varchar', length: '300' },
          { name: 'source', type: 'text' },
          { name: 'created_by', type: 'varchar', length: '100' },
          ts('created_at'),
        ],
        indices: [
          { name: 'uq_definition_key_version', columnNames: ['key', 'version'], isUnique: true },
          { name: 'uq_definition_key_hash', columnNames: ['key', 'hash'], isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'instances',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'definition_key', type: 'varchar', length: '100' },
          { name: 'definition_version_id', type: 'varchar', length: '36' },
          { name: 'business_key', type: 'varchar', length: '200' },
          { name: 'state', type: 'varchar', length: '100' },
          { name: 'context', type: 'text' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'version', type: 'integer' },
          { name: 'audit_seq', type: 'integer' },
          { name: 'audit_head', type: 'varchar', length: '64' },
          { name: 'created_by', type: 'varchar', length: '100' },
          ts('created_at'),
          ts('updated_at'),
        ],
        foreignKeys: [{ columnNames: ['definition_version_id'], referencedTableName: 'definition_versions', referencedColumnNames: ['id'] }],
        indices: [
          { name: 'uq_instance_business_key', columnNames: ['definition_key', 'business_key'], isUnique: true },
          { name: 'ix_instance_state', columnNames: ['definition_key', 'state'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          { name: 'instance_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'event_type', type: 'varchar', length: '100' },
          { name: 'payload', type: 'text' },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'actor_roles', type: 'text' },
          { name: 'from_state', type: 'varchar', length: '100', isNullable: true },
          { name: 'to_state', type: 'varchar', length: '100' },
          { name: 'definition_version_id', type: 'varchar', length: '36' },
          { name: 'effects', type: 'text' },
          ts('at'),
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
        foreignKeys: [{ columnNames: ['instance_id'], referencedTableName: 'instances', referencedColumnNames: ['id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'username', type: 'varchar', length: '100', isPrimary: true },
          { name: 'password_hash', type: 'varchar', length: '300' },
          { name: 'roles', type: 'text' },
          { name: 'display_name', type: 'varchar', length: '200', isNullable: true },
          ts('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'username', type: 'varchar', length: '100' },
          ts('expires_at'),
          ts('created_at'),
        ],
        foreignKeys: [{ columnNames: ['username'], referencedTableName: 'users', referencedColumnNames: ['username'] }],
      }),
    );
    await q.createIndex('api_tokens', new TableIndex({ name: 'ix_api_tokens_username', columnNames: ['username'] }));
    await q.createTable(
      new Table({
        name: 'idempotency_records',
        columns: [
          { name: 'actor', type: 'varchar', length: '100', isPrimary: true },
          { name: 'idem_key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'status_code', type: 'integer' },
          { name: 'response', type: 'text' },
          ts('created_at'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['idempotency_records', 'api_tokens', 'users', 'audit_entries', 'instances', 'definition_versions']) {
      await q.dropTable(table);
    }
  }
}
