import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Deadlines that can be recomputed when the business calendar changes: each timer keeps
 * whether its due time rests on provisional holiday data and what it was computed from; each
 * change of the calendar's data is recorded once.
 */
export class CalendarRevisions1764700000000 implements MigrationInterface {
  name = 'CalendarRevisions1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('timers', new TableColumn({ name: 'provisional', type: 'integer', default: 0 }));
    await q.addColumn('timers', new TableColumn({ name: 'basis', type: 'text', isNullable: true }));
    await q.createTable(
      new Table({
        name: 'calendar_revisions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'official_years', type: 'text' },
          { name: 'official_through', type: 'varchar', length: '10', isNullable: true },
          { name: 'trigger', type: 'varchar', length: '20' },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'reason', type: 'text' },
          { name: 'changed', type: 'integer' },
          { name: 'at', type: 'varchar', length: '30' },
        ],
        indices: [{ name: 'ix_calendar_revisions_at', columnNames: ['at'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('calendar_revisions');
    await q.dropColumn('timers', 'basis');
    await q.dropColumn('timers', 'provisional');
  }
}
