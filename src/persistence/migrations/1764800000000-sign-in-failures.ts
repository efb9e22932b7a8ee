import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Failed sign-ins, kept in the database so a lockout survives restarts and holds across every
 * engine process: counted per username and per client within the lockout window.
 */
export class SignInFailures1764800000000 implements MigrationInterface {
  name = 'SignInFailures1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sign_in_failures',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'username', type: 'varchar', length: '100' },
          { name: 'client', type: 'varchar', length: '100' },
          { name: 'at', type: 'varchar', length: '30' },
        ],
        indices: [
          { name: 'ix_sign_in_failures_username', columnNames: ['username', 'at'] },
          { name: 'ix_sign_in_failures_client', columnNames: ['client', 'at'] },
          { name: 'ix_sign_in_failures_at', columnNames: ['at'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sign_in_failures');
  }
}
