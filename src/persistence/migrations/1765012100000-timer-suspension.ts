import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Suspended deadlines (`suspend:` on a deadline): a timer whose state the case left for a
 * holding state keeps the status `suspended` and the moment it stopped, so the return re-arms
 * it with the time that was left (or the full period) instead of its old due time.
 */
export class TimerSuspension1765012100000 implements MigrationInterface {
  name = 'TimerSuspension1765012100000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('timers', new TableColumn({ name: 'suspended_at', type: 'varchar', length: '30', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('timers', 'suspended_at');
  }
}
