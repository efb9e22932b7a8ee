/**
 * `wf backup FILE` and `wf restore FILE` for the embedded SQLite database (same WF_*
 * environment as the service).
 *
 * A backup is taken online, while the service runs, with SQLite's backup API (a plain copy of a
 * WAL database can miss committed pages or catch a page half-written); the copy is then checked
 * (`PRAGMA integrity_check` and every instance's audit chain) before the command says it is
 * good. A restore checks the backup the same way, refuses while anything holds the database open
 * (a running service), keeps the current file beside it as `<file>.before-restore-<time>`, and
 * installs the copy. On PostgreSQL both commands say what to run instead (`pg_dump` /
 * `pg_restore`), since the server's own tools take consistent copies.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Command } from 'commander';
import { AuditVerifier, type VerificationReport } from '../audit/audit-verifier';
import { loadConfig, type DatabaseConfig } from '../config/app-config';
import { Database } from '../persistence/database';
import type { CliIo } from './cli-io';

export interface BackupCheck {
  readonly integrity: string;
  readonly audit: VerificationReport;
}

/** Checks a database file: SQLite's integrity check and every audit chain in it. */
export async function checkDatabaseFile(file: string): Promise<BackupCheck> {
  const raw = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  let integrity: string;
  try {
    integrity = (raw.pragma('integrity_check', { simple: true }) as string) ?? 'unknown';
  } finally {
    raw.close();
  }
  const db = await Database.open({ kind: 'sqlite', file });
  try {
    return { integrity, audit: await new AuditVerifier(db).verify() };
  } finally {
    await db.close();
  }
}

/** Takes a consistent copy of the SQLite database at `source` into `target` while other connections keep writing. */
export async function backupSqlite(source: string, target: string, onProgress?: (done: number, total: number) => void): Promise<void> {
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target, {
      // The rest in one step, under one read transaction: in WAL mode writers go on meanwhile, and a
      // write between small steps would make SQLite start the copy again (for ever, under steady load).
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        return Math.max(totalPages, 1) * 2;
      },
    });
  } finally {
    db.close();
  }
}

/** True when another connection (a running service, another `wf`) holds the SQLite database open. */
export function sqliteInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
    throw err;
  } finally {
    db.close();
  }
}

function describeCheck(check: BackupCheck): string {
  const chains = check.audit.ok
    ? `${check.audit.instancesChecked} 个案件的审计链（${check.audit.entriesChecked} 条记录）完整`
    : `审计链有误：案件 ${check.audit.firstBroken?.instanceId} 第 ${check.audit.firstBroken?.seq} 条（共 ${check.audit.broken.length} 个案件有误）`;
  return `数据库完整性检查：${check.integrity === 'ok' ? '通过' : check.integrity}；${chains}`;
}

function goodCheck(check: BackupCheck): boolean {
  return check.integrity === 'ok' && check.audit.ok;
}

function postgresAdvice(database: DatabaseConfig & { kind: 'postgres' }, io: CliIo, verb: 'backup' | 'restore'): void {
  const schema = database.schema ? ` --schema=${database.schema}` : '';
  io.err(
    verb === 'backup'
      ? `服务使用 PostgreSQL：请用数据库自带的工具备份（服务运行时也一致），例如：pg_dump --format=custom${schema} --file=FILE "$WF_DATABASE_URL"`
      : `服务使用 PostgreSQL：请先停止服务，再执行 pg_restore --clean --if-exists${schema} --dbname="$WF_DATABASE_URL" FILE，启动服务后用 GET /audit/verify 核验审计链。`,
  );
  io.exitCode = 1;
}

export function registerBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description('take a consistent online copy of the SQLite database (the service may keep running), then check the copy')
    .argument('<file>', 'where to write the copy (must not exist)')
    .action(async (file: string) => {
      const config = loadConfig(io.env ?? process.env, io.cwd);
      if (config.database.kind === 'postgres') return postgresAdvice(config.database, io, 'backup');
      const target = resolve(io.cwd, file);
      if (existsSync(target)) {
        io.err(`错误：${target} 已存在，未做任何更改；请指定一个新文件。`);
        io.exitCode = 1;
        return;
      }
      if (!existsSync(config.database.file)) {
        io.err(`错误：没有数据库文件 ${config.database.file}（WF_DATA_DIR / WF_SQLITE_FILE）。`);
        io.exitCode = 1;
        return;
      }
      await backupSqlite(config.database.file, target);
      const check = await checkDatabaseFile(target);
      io.out(`已备份 ${config.database.file} → ${target}`);
      io.out(describeCheck(check));
      if (!goodCheck(check)) io.exitCode = 1;
    });

  program
    .command('restore')
    .description('replace the SQLite database with a checked backup (stop the service first; the current file is kept beside it)')
    .argument('<file>', 'a copy made by wf backup')
    .action(async (file: string) => {
      const config = loadConfig(io.env ?? process.env, io.cwd);
      if (config.database.kind === 'postgres') return postgresAdvice(config.database, io, 'restore');
      const source = resolve(io.cwd, file);
      if (!existsSync(source)) {
        io.err(`错误：找不到备份文件 ${source}。`);
        io.exitCode = 1;
        return;
      }
      let check: BackupCheck;
      try {
        check = await checkDatabaseFile(source);
      } catch (err) {
        io.err(`错误：${source} 不是可用的数据库备份（${err instanceof Error ? err.message : String(err)}），未做任何更改。`);
        io.exitCode = 1;
        return;
      }
      io.out(`备份文件检查：${describeCheck(check)}`);
      if (!goodCheck(check)) {
        io.err('错误：备份文件未通过检查，未做任何更改。');
        io.exitCode = 1;
        return;
      }
      const target = config.database.file;
      if (sqliteInUse(target)) {
        io.err(`错误：数据库 ${target} 正在使用中（服务仍在运行？）；请先停止服务，未做任何更改。`);
        io.exitCode = 1;
        return;
      }
      if (existsSync(target)) {
        const kept = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        // A closed WAL database has folded its log back into the file; nothing else belongs to it.
        renameSync(target, kept);
        for (const side of ['-wal', '-shm']) rmSync(target + side, { force: true });
        io.out(`原数据库已保留为 ${kept}`);
      }
      copyFileSync(source, `${target}.restoring`);
      renameSync(`${target}.restoring`, target);
      io.out(`已从 ${source} 恢复到 ${target}；启动服务后可在 GET /audit/verify 再次核验。`);
    });
}
