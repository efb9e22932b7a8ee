import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** The audit entry keeps the actor's attributes (e.g. department) that guards may have relied on. */
export class AuditActorAttributes1764600000000 implements MigrationInterface {
  name = 'AuditActorAttributes1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('audit_entries', new TableColumn({ name: 'actor_attributes', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('audit_entries', 'actor_attributes');
  }
}
