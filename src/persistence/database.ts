/**
 * The database port: one place that knows whether we run on the embedded SQLite file or on
 * PostgreSQL. Callers write SQL with `$1, $2, ...` placeholders (PostgreSQL style); on SQLite
 * they are rewritten to positional `?`.
 *
 * SQLite has a single connection (better-sqlite3, WAL mode). Interleaving two async
 * transactions on it would mix their statements, so every unit of work — reads included, so
 * a read never sees another request's uncommitted rows — runs one at a time through a FIFO
 * lock. Each unit is a handful of synchronous statements, so the queue stays short.
 * PostgreSQL uses a pool; concurrency there is handled by row locks and the optimistic version.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { asDatabaseFault } from './database-faults';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface SqlExecutor {
  /** Rows of a SELECT (or of a statement with RETURNING). */
  rows<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs an INSERT/UPDATE/DELETE and returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** The TypeORM entity manager bound to the same connection/transaction. */
  readonly manager: EntityManager;
}

/** FIFO async lock: `exclusive(fn)` runs fn after every previously queued fn settled. */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Rewrites `$n` placeholders to `?` and reorders the parameters accordingly. */
export function toSqliteSql(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return { sql: text, params: ordered };
}

export class Database {
  private readonly lock = new Lock();

  private constructor(
    readonly dataSource: DataSource,
    readonly kind: 'sqlite' | 'postgres',
  ) {}

  /** Opens the database, creating the SQLite file's folder if needed, and applies pending migrations. */
  static async open(config: DatabaseConfig, options: { logging?: boolean } = {}): Promise<Database> {
    let dataSource: DataSource;
    if (config.kind === 'sqlite') {
      mkdirSync(dirname(config.file), { recursive: true });
      dataSource = new DataSource({
        type: 'better-sqlite3',
        database: config.file,
        enableWAL: true,
        prepareDatabase: (db: { pragma(s: string): unknown }) => {
          db.pragma('foreign_keys = ON');
          db.pragma('busy_timeout = 5000');
          db.pragma('synchronous = NORMAL');
        },
        entities: ENTITIES,
        migrations: MIGRATIONS,
        logging: options.logging ?? false,
      });
    } else {
      dataSource = new DataSource({
        type: 'postgres',
        url: config.url,
        schema: config.schema,
        // The application name tells an operator (and pg_stat_activity) which service and schema a connection serves.
        // A request that finds every connection busy waits at most poolWaitMs, then is a retryable 503 (never an endless wait).
        extra: {
          max: config.poolMax ?? 10,
          connectionTimeoutMillis: config.poolWaitMs ?? 10_000,
          application_name: config.schema ? `workflow-engine/${config.schema}` : 'workflow-engine',
          ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
        },
        entities: ENTITIES,
        migrations: MIGRATIONS,
        logging: options.logging ?? false,
      });
    }
    await dataSource.initialize();
    const db = new Database(dataSource, config.kind);
    if (config.kind === 'postgres' && config.schema) {
      await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
    }
    await db.lock.exclusive(() => dataSource.runMigrations({ transaction: 'each' }));
    return db;
  }

  async close(): Promise<void> {
    await this.lock.exclusive(async () => {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    });
  }

  /**
   * Runs fn inside one transaction: committed if fn resolves, rolled back if it throws. A lost
   * or busy database is thrown as `DATABASE_UNAVAILABLE` (retryable) with the driver's error as
   * its cause; when the rollback fails too (the connection is gone, and the server rolls the
   * transaction back itself), the error that made the unit fail is the one thrown, not the
   * rollback's.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const work = async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        await runner.startTransaction();
        const result = await fn(this.executor(runner));
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive && !runner.isReleased) await runner.rollbackTransaction().catch(() => undefined);
        throw asDatabaseFault(error);
      } finally {
        await runner.release().catch(() => undefined);
      }
    };
    return this.kind === 'sqlite' ? this.lock.exclusive(work) : work();
  }

  /** Runs read-only work outside a transaction (serialized on SQLite, pooled on PostgreSQL); faults as for `transaction`. */
  read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> {
    const work = async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        return await fn(this.executor(runner));
      } catch (error) {
        throw asDatabaseFault(error);
      } finally {
        await runner.release().catch(() => undefined);
      }
    };
    return this.kind === 'sqlite' ? this.lock.exclusive(work) : work();
  }

  /** True when err is a unique-constraint violation on either driver. */
  isUniqueViolation(err: unknown): boolean {
    const e = err as { driverError?: { code?: string }; code?: string; message?: string };
    const code = e?.driverError?.code ?? e?.code;
    return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  }

  private executor(runner: QueryRunner): SqlExecutor {
    const sqlite = this.kind === 'sqlite';
    const prepare = (sql: string, params: readonly unknown[] = []) => (sqlite ? toSqliteSql(sql, params) : { sql, params: [...params] });
    return {
      manager: runner.manager,
      rows: async <T>(sql: string, params?: readonly unknown[]) => {
        const p = prepare(sql, params);
        const result = await runner.query(p.sql, p.params, true);
        return (result.records ?? []) as T[];
      },
      run: async (sql: string, params?: readonly unknown[]) => {
        const p = prepare(sql, params);
        const result = await runner.query(p.sql, p.params, true);
        return result.affected ?? 0;
      },
    };
  }
}
