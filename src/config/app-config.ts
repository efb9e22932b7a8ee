/**
 * Configuration, read once at boot from the environment and validated. Nothing else in the
 * code reads `process.env`: everything receives an `AppConfig`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError, ErrorCode } from '../common/app-error';
import type { LogLevel } from '../common/logging';
import { MAX_DEFINITION_BYTES } from '../definitions/definition-limits';

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly schema?: string;
      /** Most connections the service opens (`WF_PG_POOL_MAX`). */
      readonly poolMax?: number;
      /** How long a request waits for a free connection before it is answered 503 (`WF_PG_POOL_WAIT_MS`). */
      readonly poolWaitMs?: number;
    };

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly definitionsDir: string;
  readonly templatesDir: string;
  /** Lifetime of a bearer token issued by POST /auth/token. */
  readonly tokenTtlMinutes: number;
  /** Largest request body accepted (bytes): YAML uploads and JSON bodies alike. */
  readonly maxBodyBytes: number;
  /** YAML business calendar (time zone, end of day, company closures); unset = the official calendar, Asia/Shanghai, 18:00. */
  readonly calendarFile?: string;
  /** Days before the end of the calendar's official holiday data from which the service warns. */
  readonly calendarWarnDays: number;
  /** smtp:// or smtps:// URL; unset = mail is written as .eml files under `mailDir` and counted as delivered. */
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly mailDir: string;
  /** How often the timer, outbox and schedule loops look for due work (ms). */
  readonly pollIntervalMs: number;
  readonly outboxMaxAttempts: number;
  /** First outbox retry delay in seconds; doubles with each attempt, at most an hour. */
  readonly outboxRetrySeconds: number;
  /** Levels that are logged (`WF_LOG_LEVEL` and every more severe one). */
  readonly logLevels: readonly LogLevel[];
}

/**
 * An invalid environment variable, found by `loadConfig` at boot. It never reaches an API caller
 * (nothing listens yet): the service stops, the CLI prints the message. An AppError all the same,
 * so every error in the code base has a code.
 */
export class ConfigError extends AppError {
  constructor(message: string) {
    super(ErrorCode.ConfigInvalid, message);
    this.name = 'ConfigError';
  }
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

/** Builds the configuration from environment variables (documented in README.md). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AppConfig {
  const dataDir = resolve(cwd, env.WF_DATA_DIR || 'data');
  const url = env.WF_DATABASE_URL?.trim();
  let database: DatabaseConfig;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError(`WF_DATABASE_URL must be a postgres:// URL; leave it unset for the embedded SQLite file`);
    }
    const schema = env.WF_DATABASE_SCHEMA?.trim() || undefined;
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
      throw new ConfigError(`WF_DATABASE_SCHEMA must be a lower-case SQL identifier, got '${schema}'`);
    }
    database = {
      kind: 'postgres',
      url,
      schema,
      poolMax: intVar(env, 'WF_PG_POOL_MAX', 10, 1, 1000),
      poolWaitMs: intVar(env, 'WF_PG_POOL_WAIT_MS', 10_000, 1, 600_000),
    };
  } else {
    database = { kind: 'sqlite', file: resolve(dataDir, env.WF_SQLITE_FILE || 'workflow.sqlite') };
  }
  const level = env.WF_LOG_LEVEL || 'log';
  const order = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  const cut = order.indexOf(level as (typeof order)[number]);
  if (cut < 0) throw new ConfigError(`WF_LOG_LEVEL must be one of ${order.join(', ')}, got '${level}'`);
  const definitionsDir = resolve(cwd, env.WF_DEFINITIONS_DIR || 'definitions');
  const bundledCalendar = resolve(definitionsDir, 'calendar', 'calendar.yaml');
  const calendarFile = env.WF_CALENDAR_FILE ? resolve(cwd, env.WF_CALENDAR_FILE) : existsSync(bundledCalendar) ? bundledCalendar : undefined;
  const smtpUrl = env.WF_SMTP_URL?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError(`WF_SMTP_URL must start with smtp:// or smtps://`);
  return {
    calendarFile,
    calendarWarnDays: intVar(env, 'WF_CALENDAR_WARN_DAYS', 60, 0, 366),
    smtpUrl,
    mailFrom: env.WF_MAIL_FROM || 'workflow@localhost',
    mailDir: resolve(dataDir, 'mail'),
    pollIntervalMs: intVar(env, 'WF_POLL_MS', 1000, 50, 3_600_000),
    outboxMaxAttempts: intVar(env, 'WF_OUTBOX_MAX_ATTEMPTS', 8, 1, 100),
    outboxRetrySeconds: intVar(env, 'WF_OUTBOX_RETRY_SECONDS', 30, 1, 86_400),
    host: env.WF_HOST || '127.0.0.1',
    port: intVar(env, 'WF_PORT', 3000, 0, 65535),
    dataDir,
    database,
    definitionsDir,
    templatesDir: resolve(cwd, env.WF_TEMPLATES_DIR || 'templates'),
    tokenTtlMinutes: intVar(env, 'WF_TOKEN_TTL_MINUTES', 8 * 60, 1, 60 * 24 * 30),
    maxBodyBytes: intVar(env, 'WF_MAX_BODY_BYTES', 512 * 1024, MAX_DEFINITION_BYTES, 50 * 1024 * 1024),
    logLevels: order.slice(0, cut + 1),
  };
}
