/**
 * Wires the engine's parts (database, definitions, instances, timers, outbox, schedules,
 * audit, auth) from a config. Used by the HTTP service (`src/main.ts`), the CLI and the tests
 * alike, so all three run the same code; Nest only adds the HTTP surface on top.
 */
import { Logger } from '@nestjs/common';
import { AuditVerifier } from '../audit/audit-verifier';
import { AuthService } from '../auth/auth.service';
import { Clock, SystemClock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { TemplateCatalog } from '../documents/template-catalog';
import { createMailer, type Mailer } from '../notices/mailer';
import { OutboxDispatcher } from '../notices/outbox-dispatcher';
import { Database } from '../persistence/database';
import { BusinessCalendar } from '../scheduler/business-calendar';
import { loadBusinessCalendar, loadCalendarFile } from '../scheduler/calendar-file';
import { CalendarSync } from './calendar-sync';
import { DefinitionRegistry } from './definition-registry';
import { DomainFunctionRegistry } from './domain-functions';
import { InstanceService } from './instance.service';
import { RecordsService } from './records.service';
import { ScheduleRunner } from './schedule-runner';
import { TimerRunner } from './timer-runner';

export interface Engine {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly db: Database;
  readonly calendar: BusinessCalendar;
  /** Keeps pending deadlines in step with the calendar's data; reload, status, warning. */
  readonly calendarSync: CalendarSync;
  readonly templates: TemplateCatalog;
  readonly auth: AuthService;
  readonly definitions: DefinitionRegistry;
  readonly instances: InstanceService;
  readonly timers: TimerRunner;
  readonly outbox: OutboxDispatcher;
  readonly schedules: ScheduleRunner;
  readonly auditVerifier: AuditVerifier;
  readonly records: RecordsService;
  /** Fires due timers, runs due schedules, delivers the outbox: one pass. */
  runDueWork(): Promise<{ timers: number; schedules: number; outbox: number }>;
  /** Starts the background loop (every `pollIntervalMs`); `close()` stops it. */
  startBackgroundWork(): void;
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  readonly clock?: Clock;
  readonly mailer?: Mailer;
  /**
   * The `compute:`/`apply:` functions definitions may call (`createProcessFunctions` in
   * src/processes/). Handed in by the caller so the engine never imports the per-process code
   * that calls it back; without it a definition naming a function is refused when registered.
   */
  readonly functions?: DomainFunctionRegistry;
}

export async function openEngine(config: AppConfig, options: OpenEngineOptions = {}): Promise<Engine> {
  Logger.overrideLogger([...config.logLevels]);
  const logger = new Logger('engine');
  const clock = options.clock ?? new SystemClock();
  const calendar = config.calendarFile ? loadBusinessCalendar(config.calendarFile) : new BusinessCalendar();
  const templates = TemplateCatalog.fromDirectory(config.templatesDir, { timeZone: calendar.timeZone });
  const db = await Database.open(config.database);
  const functions = options.functions ?? new DomainFunctionRegistry({});
  const records = new RecordsService(db);
  const definitions = new DefinitionRegistry(db, clock, templates, config.maxBodyBytes, functions);
  const instances = new InstanceService(db, definitions, clock, calendar, templates, functions, records);
  const mailer = options.mailer ?? createMailer({ smtpUrl: config.smtpUrl, fileDir: config.mailDir, from: config.mailFrom });
  const timers = new TimerRunner(db, instances, clock);
  const outbox = new OutboxDispatcher(db, instances, mailer, clock, {
    maxAttempts: config.outboxMaxAttempts, baseDelaySeconds: config.outboxRetrySeconds,
  });
  const schedules = new ScheduleRunner(db, definitions, instances, calendar, clock);
  const calendarSync = new CalendarSync(db, calendar, clock,
    () => (config.calendarFile ? loadCalendarFile(config.calendarFile) : {}), { warnDays: config.calendarWarnDays });
  await calendarSync.atStart();
  calendarSync.logWarningDaily();

  let loop: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const runDueWork = async () => {
    await calendarSync.follow();
    calendarSync.logWarningDaily();
    const fired = await timers.tick();
    const ran = await schedules.tick();
    // Deliver what the timers and schedules just queued, too.
    const delivered = await outbox.tick();
    return { timers: fired, schedules: ran, outbox: delivered };
  };
  return {
    config, clock, db, calendar, calendarSync, templates, definitions, instances, timers, outbox, schedules,
    auth: new AuthService(db, clock, config.tokenTtlMinutes),
    auditVerifier: new AuditVerifier(db),
    records,
    runDueWork,
    startBackgroundWork() {
      if (loop) return;
      loop = setInterval(() => {
        running = running.then(runDueWork).catch((err) => logger.error(err instanceof Error ? err.stack : String(err)));
      }, config.pollIntervalMs);
    },
    async close() {
      if (loop) clearInterval(loop);
      await running;
      await mailer.close();
      await db.close();
    },
  };
}
