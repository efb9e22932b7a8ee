/**
 * Wires the engine's parts (database, definitions, instances, audit, auth) from a config.
 * Used by the HTTP service (`src/main.ts`), the CLI and the tests alike, so all three run
 * the same code; Nest only adds the HTTP surface on top.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditVerifier } from '../audit/audit-verifier';
import { AuthService } from '../auth/auth.service';
import { Clock, SystemClock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { Database } from '../persistence/database';
import { DefinitionRegistry, type TemplateLookup } from './definition-registry';
import { InstanceService } from './instance.service';

export interface Engine {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly db: Database;
  readonly auth: AuthService;
  readonly definitions: DefinitionRegistry;
  readonly instances: InstanceService;
  readonly auditVerifier: AuditVerifier;
  close(): Promise<void>;
}

/** A template exists when `<templatesDir>/<name>.hbs` exists. */
export function templateLookup(templatesDir: string): TemplateLookup {
  return { has: (name) => /^[a-z0-9][a-z0-9/_-]*$/i.test(name) && existsSync(join(templatesDir, `${name}.hbs`)) };
}

export async function openEngine(config: AppConfig, options: { clock?: Clock } = {}): Promise<Engine> {
  const clock = options.clock ?? new SystemClock();
  const db = await Database.open(config.database);
  const definitions = new DefinitionRegistry(db, clock, templateLookup(config.templatesDir), config.maxBodyBytes);
  return {
    config,
    clock,
    db,
    auth: new AuthService(db, clock, config.tokenTtlMinutes),
    definitions,
    instances: new InstanceService(db, definitions, clock),
    auditVerifier: new AuditVerifier(db),
    close: () => db.close(),
  };
}
