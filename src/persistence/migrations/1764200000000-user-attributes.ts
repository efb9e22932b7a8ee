import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Users carry attributes (e.g. their department) that processes may check as `actor.<name>`. */
export class UserAttributes1764200000000 implements MigrationInterface {
  name = 'UserAttributes1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('users', new TableColumn({ name: 'attributes', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('users', 'attributes');
  }
}
