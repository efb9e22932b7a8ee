/**
 * The middle tier of tests: the engine's and the worker's services built by hand around a
 * real SQLite file (`Database.open`, migrations applied) and fake ports — a ManualClock,
 * sequential ids, logging kept in memory, a mailer that records — with no Nest and no HTTP.
 * A spec picks the definitions and templates, and the domain functions the engine "has".
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { SequentialIds } from '../../src/common/ids';
import { MemoryLogging } from '../../src/common/logging';
import type { DomainFunctionLookup } from '../../src/definitions/definition-loader';
import { TemplateCatalog } from '../../src/documents/template-catalog';
import { DomainFunctionRegistry, type DomainFunction, type DomainWriter } from '../../src/engine/domain-functions';
import { DefinitionRegistry } from '../../src/engine/definition-registry';
import { createAccessPolicy } from '../../src/engine/access-policy';
import { InstanceQueryService } from '../../src/engine/instance-query.service';
import { RecordsService } from '../../src/engine/records.service';
import { TransitionService } from '../../src/engine/transition.service';
import { Mailer, type MailMessage, type MailReceipt } from '../../src/notices/mailer';
import { Database } from '../../src/persistence/database';
import { BusinessCalendar } from '../../src/calendar/business-calendar';
import { OutboxDispatcher, type OutboxOptions } from '../../src/worker/outbox-dispatcher';
import { ScheduleRunner } from '../../src/worker/schedule-runner';
import { TimerRunner } from '../../src/worker/timer-runner';
import { REPO_ROOT } from './databases';

export const ENGINE_FIXTURES = join(REPO_ROOT, 'test/fixtures/engine');

/** A mailer that keeps what it was given; `failWith` makes the next sends throw. */
export class RecordingMailer extends Mailer {
  readonly sent: MailMessage[] = [];
  failWith: (() => Error) | undefined;

  async send(message: MailMessage): Promise<MailReceipt> {
    if (this.failWith) throw this.failWith();
    this.sent.push(message);
    return { transport: 'file', messageId: message.messageId, accepted: [...message.to], rejected: [] };
  }

  async close(): Promise<void> {}
}

export interface ServiceFixtureOptions {
  /** Definition texts (YAML) to register, by file name; default: the engine fixtures' ticket and ticket-task. */
  readonly definitions?: Readonly<Record<string, string>>;
  /** Templates by name; default: the engine fixtures' templates folder. */
  readonly templates?: Readonly<Record<string, string>>;
  /** Domain functions and writers the engine has at run time. */
  readonly functions?: Readonly<Record<string, DomainFunction>>;
  readonly writers?: Readonly<Record<string, DomainWriter>>;
  /** Names the loader accepts (default: those of `functions`/`writers`); lets a spec register a definition naming a function the engine then lacks. */
  readonly known?: DomainFunctionLookup;
  readonly outbox?: OutboxOptions;
}

export interface ServiceFixture {
  readonly db: Database;
  readonly clock: ManualClock;
  readonly ids: SequentialIds;
  readonly logging: MemoryLogging;
  readonly mailer: RecordingMailer;
  readonly calendar: BusinessCalendar;
  readonly definitions: DefinitionRegistry;
  readonly records: RecordsService;
  readonly transitions: TransitionService;
  readonly instances: InstanceQueryService;
  readonly timers: TimerRunner;
  readonly schedules: ScheduleRunner;
  readonly outbox: OutboxDispatcher;
  /** Rows of a table, for asserting what was (not) written. */
  count(table: string, where?: string, params?: readonly unknown[]): Promise<number>;
  dispose(): Promise<void>;
}

export function fixtureDefinition(file: string): string {
  return readFileSync(join(ENGINE_FIXTURES, 'definitions', file), 'utf8');
}

/** Friday 2026-02-13, 10:00 in Shanghai. */
export const FIXTURE_NOW = '2026-02-13T02:00:00.000Z';

export async function serviceFixture(options: ServiceFixtureOptions = {}): Promise<ServiceFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'wf-services-'));
  const db = await Database.open({ kind: 'sqlite', file: join(dir, 'engine.sqlite') });
  const clock = new ManualClock(new Date(FIXTURE_NOW));
  const ids = new SequentialIds();
  const logging = new MemoryLogging();
  const mailer = new RecordingMailer();
  const calendar = new BusinessCalendar();
  const templates = options.templates
    ? new TemplateCatalog({ templates: options.templates })
    : TemplateCatalog.fromDirectory(join(ENGINE_FIXTURES, 'templates'));
  const functions = new DomainFunctionRegistry(options.functions ?? {}, options.writers ?? {});
  const records = new RecordsService(db, ids);
  const definitions = new DefinitionRegistry(db, clock, ids, templates, 1024 * 1024, options.known ?? functions);
  const transitions = new TransitionService({ db, definitions, clock, ids, calendar, templates, functions, store: records });
  const instances = new InstanceQueryService(db, definitions, createAccessPolicy(db, definitions));
  const timers = new TimerRunner(db, transitions, clock, ids, logging.scope('timers'));
  const schedules = new ScheduleRunner(db, definitions, transitions, instances, calendar, clock, logging.scope('schedules'));
  const outbox = new OutboxDispatcher(db, transitions, instances, mailer, clock, ids, logging.scope('outbox'), options.outbox ?? {});
  const texts = options.definitions ?? { 'ticket.yaml': fixtureDefinition('ticket.yaml'), 'ticket-task.yaml': fixtureDefinition('ticket-task.yaml') };
  for (const [file, text] of Object.entries(texts)) await definitions.register(text, file, 'owner');
  return {
    db,
    clock,
    ids,
    logging,
    mailer,
    calendar,
    definitions,
    records,
    transitions,
    instances,
    timers,
    schedules,
    outbox,
    async count(table, where, params = []) {
      const [{ n }] = await db.read((q) => q.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`, params));
      return Number(n);
    },
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
