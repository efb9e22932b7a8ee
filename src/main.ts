/**
 * Starts the service: reads the configuration, opens the database (the embedded SQLite file
 * by default, created on first start), applies migrations, registers every definition under
 * `definitions/` (refusing to start if any has errors), and serves the HTTP API.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppError } from './common/app-error';
import { loadConfig } from './config/app-config';
import { openEngine } from './engine/engine';
import { createApp } from './http/create-app';
import { NestLogging } from './http/nest-logging';
import { createProcessFunctions } from './processes';

async function main(): Promise<void> {
  const logger = new Logger('wf');
  const config = loadConfig();
  const engine = await openEngine(config, {
    logging: new NestLogging(config.logLevels),
    functions: createProcessFunctions({ definitionsDir: config.definitionsDir }),
  });
  logger.log(
    config.database.kind === 'sqlite'
      ? `database: SQLite file ${config.database.file}`
      : `database: PostgreSQL${config.database.schema ? ` (schema ${config.database.schema})` : ''}`,
  );
  logger.log(
    `calendar: ${config.calendarFile ?? 'official Chinese calendar, Asia/Shanghai, end of day 18:00'}; mail: ${config.smtpUrl ? 'SMTP' : `files in ${config.mailDir}`}`,
  );
  try {
    const versions = await engine.definitions.registerDirectory(config.definitionsDir, 'system');
    for (const v of versions) {
      logger.log(`definition ${v.key} v${v.version}${v.created ? ' (new version)' : ''} from ${v.file}`);
      for (const f of v.findings) logger.warn(`${f.file}:${f.line}:${f.column} [${f.rule}] ${f.message}`);
    }
  } catch (err) {
    if (err instanceof AppError && Array.isArray(err.details?.errors)) {
      for (const e of err.details.errors as { file: string; line: number; column: number; message: string }[]) {
        logger.error(`${e.file}:${e.line}:${e.column} ${e.message}`);
      }
      logger.error(`not starting: fix the definitions in ${config.definitionsDir}`);
      await engine.close();
      process.exit(1);
    }
    throw err;
  }
  await engine.worker.schedules.sync();
  engine.worker.start();
  if ((await engine.auth.countUsers()) === 0) {
    logger.warn('no users yet. Create the first one in another terminal (it asks for the password):');
    logger.warn('  npm run wf -- user add admin --roles admin,process_owner,auditor');
  }
  const app = await createApp(engine);
  await app.listen(config.port, config.host);
  logger.log(`listening on http://${config.host}:${config.port} (工作台: /app; OpenAPI: /docs, /openapi.json)`);
  const stop = async () => {
    await app.close();
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  new Logger('wf').error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
