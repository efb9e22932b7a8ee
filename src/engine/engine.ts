/**
 * Wires the engine's parts from a config and the ports (clock, ids, logging, mail). Used by the
 * HTTP service (`src/main.ts`), the CLI and the tests alike, so all three run the same code;
 * Nest only adds the HTTP surface on top.
 *
 * Callers use the narrow services: `transitions` (the write path: create, send), `instances`
 * (the query side), `definitions`, `records`, `auth`, `auditVerifier`, `calendarSync`, and
 * `worker` (the background loop). They never reach the database themselves.
 */
import { AuditVerifier } from '../audit/audit-verifier';
import { AuthService } from '../auth/auth.service';
import { Clock, SystemClock } from '../common/clock';
import { CryptoIdGenerator, IdGenerator } from '../common/ids';
import { ConsoleLogging, type Logging } from '../common/logging';
import type { AppConfig } from '../config/app-config';
import { MAX_DEFINITION_BYTES } from '../definitions/definition-limits';
import { TemplateCatalog } from '../documents/template-catalog';
import { createMailer, type Mailer } from '../notices/mailer';
import { Database } from '../persistence/database';
import { BusinessCalendar } from '../calendar/business-calendar';
import { loadBusinessCalendar, loadCalendarFile } from '../calendar/calendar-file';
import { BackgroundWorker, type DueWork } from '../worker/background-worker';
import { OutboxDispatcher } from '../worker/outbox-dispatcher';
import { ScheduleRunner } from '../worker/schedule-runner';
import { TimerRunner } from '../worker/timer-runner';
import { createAccessPolicy, type AccessPolicy } from './access-policy';
import { CalendarSync } from './calendar-sync';
import { CaseRecordsService } from './case-records.service';
import { DefinitionRegistry } from './definition-registry';
import { AssignmentService } from './assignment.service';
import { CopiesService } from './copies.service';
import { ReminderService } from './reminder.service';
import { InstanceQueryService } from './instance-query.service';
import { DomainFunctionRegistry } from './domain-functions';
import { RecordsService } from './records.service';
import { TransitionService } from './transition.service';

export interface Engine {
  readonly config: AppConfig;
  readonly clock: Clock;
  /** The id and randomness port the engine uses (process services use it for their own ids and tokens). */
  readonly ids: IdGenerator;
  readonly calendar: BusinessCalendar;
  /** Keeps pending deadlines in step with the calendar's data; reload, status, warning. */
  readonly calendarSync: CalendarSync;
  readonly templates: TemplateCatalog;
  readonly auth: AuthService;
  readonly definitions: DefinitionRegistry;
  /** The write path: start instances, apply events. */
  readonly transitions: TransitionService;
  /** The query side: instances, audit trails, available events, tasks, related instances. */
  readonly instances: InstanceQueryService;
  /** Who holds a case's current step: claim, release, transfer, reassign (audited). */
  readonly assignments: AssignmentService;
  /** 抄送: the copies to a person, with read receipts. */
  readonly copies: CopiesService;
  /** 催办: the starter of a case reminds the holder of its step (rate-limited, audited). */
  readonly reminders: ReminderService;
  /** Who may read what and use which platform function: the one access policy. */
  readonly access: AccessPolicy;
  /** Documents, timers, outbox and attachments of a case, read on behalf of a person (checked). */
  readonly cases: CaseRecordsService;
  /** Documents, timers, outbox, inboxes, notices, attachments. */
  readonly records: RecordsService;
  readonly auditVerifier: AuditVerifier;
  /** Due timers, schedules and outbox delivery: one pass (`runOnce`) or the loop (`start`). */
  readonly worker: BackgroundWorker;
  /**
   * The database itself, for `src/engine`, `src/persistence` and tests only. Other callers use
   * the services above; the process services still reading it are being moved off it.
   */
  readonly db: Database;
  /** One pass of background work (`worker.runOnce()`): what tests and the CLI call. */
  runDueWork(): Promise<DueWork>;
  /** Stops the background loop, closes the mailer and the database. */
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Default: the console, at the configured levels. The service passes Nest's logger. */
  readonly logging?: Logging;
  readonly mailer?: Mailer;
  /**
   * The `compute:`/`apply:` functions definitions may call (`createProcessFunctions` in
   * src/processes/). Handed in by the caller so the engine never imports the per-process code
   * that calls it back; without it a definition naming a function is refused when registered.
   */
  readonly functions?: DomainFunctionRegistry;
}

/** The options of `openEngine` (older name). */
export type OpenEngineOptions = EngineOptions;

export async function openEngine(config: AppConfig, options: EngineOptions = {}): Promise<Engine> {
  const logging = options.logging ?? new ConsoleLogging(config.logLevels);
  const clock = options.clock ?? new SystemClock();
  const ids = options.ids ?? new CryptoIdGenerator();
  const calendar = config.calendarFile ? loadBusinessCalendar(config.calendarFile) : new BusinessCalendar();
  const templates = TemplateCatalog.fromDirectory(config.templatesDir, { timeZone: calendar.timeZone });
  const db = await Database.open(config.database);
  const functions = options.functions ?? new DomainFunctionRegistry({});
  const records = new RecordsService(db, ids);
  const definitions = new DefinitionRegistry(db, clock, ids, templates, MAX_DEFINITION_BYTES, functions);
  const transitions = new TransitionService({ db, definitions, clock, ids, calendar, templates, functions, store: records });
  const access = createAccessPolicy(db, definitions, clock);
  const instances = new InstanceQueryService(db, definitions, access);
  const cases = new CaseRecordsService(instances, records, access);
  const auth = new AuthService(db, clock, ids, config.tokenTtlMinutes);
  const assignments = new AssignmentService(db, definitions, access, auth, clock);
  const copies = new CopiesService(db, instances, clock);
  const reminders = new ReminderService(db, definitions, access, auth, clock, ids, calendar.timeZone);
  const mailer = options.mailer ?? createMailer({ smtpUrl: config.smtpUrl, fileDir: config.mailDir, from: config.mailFrom });
  const calendarSync = new CalendarSync(db, calendar, clock, () => (config.calendarFile ? loadCalendarFile(config.calendarFile) : {}), {
    warnDays: config.calendarWarnDays,
    ids,
    log: logging.scope('calendar'),
  });
  const worker = new BackgroundWorker(
    new TimerRunner(db, transitions, clock, ids, logging.scope('timers')),
    new ScheduleRunner(db, definitions, transitions, instances, calendar, clock, logging.scope('schedules')),
    new OutboxDispatcher(db, transitions, instances, mailer, clock, ids, logging.scope('outbox'), {
      maxAttempts: config.outboxMaxAttempts,
      baseDelaySeconds: config.outboxRetrySeconds,
    }),
    calendarSync,
    logging.scope('engine'),
    config.pollIntervalMs,
  );
  await calendarSync.atStart();
  calendarSync.logWarningDaily();

  return {
    config,
    clock,
    ids,
    db,
    calendar,
    calendarSync,
    templates,
    definitions,
    transitions,
    instances,
    assignments,
    copies,
    reminders,
    access,
    cases,
    records,
    worker,
    auth,
    auditVerifier: new AuditVerifier(db),
    runDueWork: () => worker.runOnce(),
    async close() {
      await worker.stop();
      await mailer.close();
      await db.close();
    },
  };
}
