/**
 * `wf backup` under load and `wf restore`: the copy is taken while the engine keeps writing
 * (its own connection, as a running service would), it is consistent (integrity check, every
 * audit chain verifies), and a restore installs it only when nothing holds the database open,
 * keeping the file it replaces. Real SQLite files throughout.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../common/clock';
import type { Actor } from '../compiler/process-machine.contract';
import { loadConfig } from '../config/app-config';
import { openEngine, type Engine } from '../engine/engine';
import type { CliIo } from './cli-io';
import { runCli } from './main';

const ROOT = join(__dirname, '../..');
const LEAVE = readFileSync(join(ROOT, 'test/fixtures/engine/definitions/leave-approval.yaml'), 'utf8');
const alice: Actor = { id: 'alice', roles: ['applicant'] };
const bob: Actor = { id: 'bob', roles: ['approver'] };

describe('wf backup and wf restore (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-backup-'));
  const env = {
    WF_DATA_DIR: join(dir, 'data'),
    WF_DEFINITIONS_DIR: join(ROOT, 'definitions'),
    WF_TEMPLATES_DIR: join(ROOT, 'templates'),
    WF_LOG_LEVEL: 'error',
  };
  const config = loadConfig(env, dir);
  const clock = new ManualClock(new Date('2026-03-02T02:00:00.000Z'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function wf(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, exitCode: 0, env };
    const code = await runCli(['node', 'wf', ...args], io);
    return { code, out, err };
  }

  async function caseCount(engine: Engine): Promise<number> {
    const report = await engine.auditVerifier.verify();
    expect(report.ok).toBe(true);
    return report.instancesChecked;
  }

  let engine: Engine;

  it('copies the database while cases are being written, and the copy verifies', async () => {
    engine = await openEngine(config, { clock });
    await engine.definitions.register(LEAVE, 'leave-approval.yaml', 'owner');
    let stop = false;
    let written = 0;
    let failed: unknown;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const { instance } = await engine.transitions.create(
          { definition: 'leave-approval', businessKey: `L-${i}`, context: { applicantName: '张三' } },
          alice,
        );
        await engine.transitions.send(instance.id, { type: 'submit', payload: { days: 2 } }, alice);
        await engine.transitions.send(instance.id, { type: 'approve', payload: {} }, bob);
        written += 1;
        // better-sqlite3 answers synchronously: let timers and the backup's steps run between cases.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })().catch((err) => {
      failed = err;
    });
    while (written < 30 && failed === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(failed).toBeUndefined();
    const result = await wf('backup', 'copy.sqlite');
    const atBackup = written;
    stop = true;
    await load;
    expect(result).toMatchObject({ code: 0, err: [] });
    expect(result.out[1]).toMatch(/^数据库完整性检查：通过；\d+ 个案件的审计链（\d+ 条记录）完整$/);
    const copied = Number(/(\d+) 个案件/.exec(result.out[1])![1]);
    expect(copied).toBeGreaterThanOrEqual(30);
    expect(copied).toBeLessThanOrEqual(atBackup + 1);
    expect(await caseCount(engine)).toBeGreaterThan(copied);
  });

  it('refuses to overwrite an existing file', async () => {
    const result = await wf('backup', 'copy.sqlite');
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/已存在，未做任何更改/);
  });

  it('refuses to restore while the service holds the database open, and changes nothing', async () => {
    const before = await caseCount(engine);
    const result = await wf('restore', 'copy.sqlite');
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/正在使用中.*请先停止服务，未做任何更改/);
    expect(await caseCount(engine)).toBe(before);
  });

  it('restores the copy once the service stopped, keeping the replaced file, and every chain verifies after start', async () => {
    await engine.close();
    const result = await wf('restore', 'copy.sqlite');
    expect(result).toMatchObject({ code: 0, err: [] });
    expect(readdirSync(join(dir, 'data')).some((f) => f.startsWith('workflow.sqlite.before-restore-'))).toBe(true);
    const copied = Number(/(\d+) 个案件/.exec(result.out[0])![1]);
    engine = await openEngine(config, { clock });
    try {
      expect(await caseCount(engine)).toBe(copied);
      // The restored service works on: a new case is written and chained.
      await engine.transitions.create({ definition: 'leave-approval', businessKey: 'after-restore', context: { applicantName: '李四' } }, alice);
      expect(await caseCount(engine)).toBe(copied + 1);
    } finally {
      await engine.close();
    }
  });

  it('refuses a backup file that is not a sound database, and changes nothing', async () => {
    const file = config.database.kind === 'sqlite' ? config.database.file : '';
    const before = statSync(file).mtimeMs;
    writeFileSync(join(dir, 'bad.sqlite'), 'not a database');
    const result = await wf('restore', 'bad.sqlite');
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/不是可用的数据库备份.*未做任何更改/);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});
