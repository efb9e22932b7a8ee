/**
 * The logging port on Nest's logger, for the HTTP service: the engine's and the worker's lines
 * then look like Nest's own (timestamp, level, context) and obey the same levels.
 */
import { Logger } from '@nestjs/common';
import type { Log, Logging, LogLevel } from '../common/logging';

export class NestLogging implements Logging {
  constructor(levels: readonly LogLevel[]) {
    Logger.overrideLogger([...levels]);
  }

  scope(context: string): Log {
    const logger = new Logger(context);
    return {
      error: (message) => logger.error(message),
      warn: (message) => logger.warn(message),
      log: (message) => logger.log(message),
      debug: (message) => logger.debug(message),
    };
  }
}
