/**
 * The logging port. The engine and the background worker log through a `Log` for their part
 * (`logging.scope('timers')`); they never import a logging library. The service's entry point
 * plugs in Nest's logger (`src/http/nest-logging.ts`); the CLI and the tests get the console
 * adapter below, or record lines in memory to assert on them.
 */

/** Levels from most to least severe, as `WF_LOG_LEVEL` names them. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** The log of one part (context) of the service. */
export interface Log {
  error(message: string): void;
  warn(message: string): void;
  /** Ordinary events worth keeping (the level Nest calls `log`). */
  log(message: string): void;
  debug(message: string): void;
}

export interface Logging {
  /** The log for one part of the service, e.g. 'timers', 'outbox', 'calendar'. */
  scope(context: string): Log;
}

/** Writes enabled levels to standard error as `LEVEL [context] message` (stdout stays for command output). */
export class ConsoleLogging implements Logging {
  private readonly enabled: ReadonlySet<LogLevel>;

  constructor(
    levels: readonly LogLevel[],
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.enabled = new Set(levels);
  }

  scope(context: string): Log {
    const at = (level: LogLevel) => (message: string) => {
      if (this.enabled.has(level)) this.write(`${level.toUpperCase()} [${context}] ${message}`);
    };
    return { error: at('error'), warn: at('warn'), log: at('log'), debug: at('debug') };
  }
}

export interface LogLine {
  readonly level: 'error' | 'warn' | 'log' | 'debug';
  readonly context: string;
  readonly message: string;
}

/** Keeps every line in `lines`, for tests. */
export class MemoryLogging implements Logging {
  readonly lines: LogLine[] = [];

  scope(context: string): Log {
    const at = (level: LogLine['level']) => (message: string) => {
      this.lines.push({ level, context, message });
    };
    return { error: at('error'), warn: at('warn'), log: at('log'), debug: at('debug') };
  }

  /** The messages logged at a level, optionally of one context. */
  messages(level: LogLine['level'], context?: string): string[] {
    return this.lines.filter((l) => l.level === level && (!context || l.context === context)).map((l) => l.message);
  }
}
