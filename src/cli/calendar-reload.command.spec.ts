import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { openProcessEngine } from '../processes';
import type { CliIo } from './cli-io';
import { runCli } from './main';

const ROOT = join(__dirname, '../..');

describe('wf calendar reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-reload-'));
  const calendarFile = join(dir, 'calendar.yaml');
  const env = {
    WF_DATA_DIR: join(dir, 'data'),
    WF_DEFINITIONS_DIR: join(ROOT, 'definitions'),
    WF_TEMPLATES_DIR: join(ROOT, 'templates'),
    WF_CALENDAR_FILE: calendarFile,
    WF_LOG_LEVEL: 'error',
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function wf(now: Date, ...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, exitCode: 0, now: () => now, env };
    const code = await runCli(['node', 'wf', ...args], io);
    return { code, out, err };
  }

  it('recomputes pending deadlines against the file, audited, and records who reloaded', async () => {
    copyFileSync(join(ROOT, 'definitions/calendar/calendar.yaml'), calendarFile);
    const clock = new ManualClock(new Date('2026-12-30T10:00:00+08:00'));
    const config = loadConfig(env, dir);
    let engine = await openProcessEngine(config, { clock });
    await engine.definitions.registerDirectory(config.definitionsDir, 'system');
    const { instance: body } = await engine.transitions.create(
      {
        definition: 'complaint',
        businessKey: 'TS-CLI-1',
        context: { receivedAt: clock.now().toISOString(), complainant: '钱女士', unit: '2栋201', contact: '13600000000', channel: '来访', content: '电梯异响' },
      },
      { id: 'ca', roles: ['cs_assistant'] },
    );
    await engine.transitions.send(
      body.id,
      { type: 'classify', payload: { valid: true, category: '设备设施', severity: '一般' } },
      { id: 'ca', roles: ['cs_assistant'] },
    );
    await engine.transitions.send(body.id, { type: 'dispatch', payload: { department: '工程部' } }, { id: 'cs', roles: ['cs_supervisor'] });
    await engine.close();

    // Nothing changed yet: the reload says so and writes no audit entry.
    const same = await wf(new Date('2026-12-31T09:00:00+08:00'), 'calendar', 'reload', '--by', 'li');
    expect(same.code).toBe(0);
    expect(same.out[1]).toBe('日历数据与上次相同，没有期限需要重算。');
    expect(same.err.join('\n')).toContain('2027年的放假安排尚未导入');

    // Fictional 2027 data (not the real notice): Sat 2 January worked.
    writeFileSync(
      calendarFile,
      `${readFileSync(calendarFile, 'utf8')}
officialYears:
  - year: 2027
    holidays: [{ date: 2027-01-01, title: 元旦 }]
    workingDays: [{ date: 2027-01-02, title: 元旦调休 }]
`,
    );
    const applied = await wf(new Date('2026-12-31T09:05:00+08:00'), 'calendar', 'reload', '--by', 'li');
    expect(applied.code).toBe(0);
    expect(applied.out[0]).toBe('业务日历已重新加载：2027年官方节假日安排已导入。官方节假日数据 2004–2027 年。');
    expect(applied.out[1]).toBe('重算了 1 个期限，涉及 1 个案件（每项变更已记入该案件的审计记录）：');
    expect(applied.out[2]).toBe(`  案件 ${body.id} replyOverdue：2027年1月5日 18:00（暂定） → 2027年1月4日 18:00`);

    engine = await openProcessEngine(config, { clock });
    try {
      const trail = await engine.instances.audit(body.id, { id: 'au', roles: ['auditor'] });
      expect(trail.filter((e) => e.eventType === '$deadlines.recomputed')).toHaveLength(1);
      const revisions = await engine.calendarSync.revisions();
      expect(revisions.slice(0, 2).map((r) => [r.trigger, r.actor, r.changed])).toEqual([
        ['cli', 'li', 1],
        ['cli', 'li', 0],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('refuses an invalid calendar file with its position and changes nothing', async () => {
    writeFileSync(calendarFile, 'timeZone: Asia/Shanghai\nendOfDay: "25:00"\n');
    const result = await wf(new Date('2027-01-02T09:00:00+08:00'), 'calendar', 'reload');
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/calendar.yaml:2:\d+ \(endOfDay\)/);
  });
});
