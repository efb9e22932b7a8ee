/**
 * A real engine on a fresh database, without HTTP, with the repository's definitions
 * registered and the process functions wired as the service wires them: for the per-process
 * service specs (src/processes/*), which call a service directly, as Immich's service tests do.
 */
import type { Clock } from '../../src/common/clock';
import { openEngine, type Engine } from '../../src/engine/engine';
import { createProcessFunctions } from '../../src/processes';
import { freshDatabase, type DriverName } from './databases';

export interface EngineHarness {
  readonly engine: Engine;
  close(): Promise<void>;
}

export async function startEngine(options: { driver?: DriverName; clock?: Clock } = {}): Promise<EngineHarness> {
  const database = await freshDatabase(options.driver ?? 'sqlite');
  const engine = await openEngine(database.config, {
    clock: options.clock,
    functions: createProcessFunctions({ definitionsDir: database.config.definitionsDir }),
  });
  await engine.definitions.registerDirectory(database.config.definitionsDir, 'system');
  return {
    engine,
    async close() {
      await engine.close();
      await database.dispose();
    },
  };
}
