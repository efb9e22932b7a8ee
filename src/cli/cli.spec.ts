import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from './cli-io';
import { runCli } from './main';

const ROOT = join(__dirname, '../..');

/** A temp working directory with definitions/ and templates/ like a real project. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-cli-'));
  mkdirSync(join(dir, 'definitions'));
  mkdirSync(join(dir, 'templates'));
  copyFileSync(join(ROOT, 'definitions/complaint.yaml'), join(dir, 'definitions/complaint.yaml'));
  writeFileSync(join(dir, 'templates/complaint-record.hbs'), '{{complainant}}');
  writeFileSync(join(dir, 'templates/service-complaint-slip.hbs'), '{{department}}');
  return dir;
}

/** Runs the CLI at a fixed moment, far from the end of the calendar's official data unless given. */
async function wf(cwd: string, ...args: string[]) {
  return wfAt(new Date('2026-03-01T00:00:00Z'), cwd, ...args);
}

async function wfAt(now: Date, cwd: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, exitCode: 0, now: () => now };
  const code = await runCli(['node', 'wf', ...args], io);
  return { code, out, err };
}

describe('wf validate', () => {
  it('prints ok per good file and exits 0', async () => {
    const dir = workspace();
    await expect(wf(dir, 'validate', 'definitions/complaint.yaml')).resolves.toEqual({
      code: 0,
      out: ['ok complaint (definitions/complaint.yaml)'],
      err: [],
    });
  });

  it('prints file:line:col message per problem and exits 1', async () => {
    const dir = workspace();
    copyFileSync(join(ROOT, 'test/fixtures/definitions/many-problems.yaml'), join(dir, 'bad.yaml'));
    const result = await wf(dir, 'validate', 'definitions/complaint.yaml', 'bad.yaml');
    expect(result.code).toBe(1);
    expect(result.out[0]).toBe('ok complaint (definitions/complaint.yaml)');
    expect(result.out.slice(1).map((l) => l.split(' ')[0])).toEqual(['bad.yaml:1:6', 'bad.yaml:6:18', 'bad.yaml:12:5', 'bad.yaml:16:21', 'bad.yaml:17:17']);
  });

  it('checks templates in --templates DIR', async () => {
    const dir = workspace();
    const result = await wf(dir, 'validate', '--templates', 'elsewhere', 'definitions/complaint.yaml');
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(
      /^definitions\/complaint.yaml:\d+:\d+ the template 'complaint-record' does not exist: expected the file elsewhere\/complaint-record.hbs$/,
    );
  });
});

describe('wf lint', () => {
  it('lints definitions/ by default and exits 0', async () => {
    const dir = workspace();
    copyFileSync(join(ROOT, 'test/fixtures/definitions/lint-problems.yaml'), join(dir, 'definitions/lint-problems.yaml'));
    const result = await wf(dir, 'lint');
    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      "definitions/lint-problems.yaml:15:7 [unsendable-event] no role may send 'poke' in 'open': its 'roles' list is empty",
      "definitions/lint-problems.yaml:18:3 [unreachable-state] no event leads to the state 'stuck' from the initial state 'open'",
      "definitions/lint-problems.yaml:18:3 [dead-end-state] 'stuck' is not final, but no event leads out of it: add an event with a target, or mark it 'type: final'",
    ]);
    expect(result.err).toEqual(['3 findings in 2 files']);
  });

  it('warns, in Chinese, from 60 days before the official holiday data ends', async () => {
    const dir = workspace();
    const early = await wfAt(new Date('2026-10-31T00:00:00+08:00'), dir, 'lint');
    expect(early.out).toEqual([]);
    const late = await wfAt(new Date('2026-11-15T00:00:00+08:00'), dir, 'lint');
    expect(late.code).toBe(0);
    expect(late.out).toHaveLength(1);
    expect(late.out[0]).toMatch(
      /^definitions\/calendar\/calendar.yaml:1:1 \[calendar-horizon\] 业务日历的官方节假日数据截至2026年12月31日（还剩 46 天），2027年的放假安排尚未导入。/,
    );
    expect(late.out[0]).toContain('wf calendar import');
    const shorter = await wfAt(new Date('2026-11-15T00:00:00+08:00'), dir, 'lint', '--calendar-warn-days', '30');
    expect(shorter.out).toEqual([]);
  });
});

describe('wf diagram', () => {
  it('prints Mermaid', async () => {
    const result = await wf(workspace(), 'diagram', 'definitions/complaint.yaml');
    expect(result.code).toBe(0);
    expect(result.out[0].split('\n').slice(0, 2)).toEqual(['stateDiagram-v2', '  [*] --> registered']);
  });
});

describe('wf simulate', () => {
  const scenario = join(ROOT, 'test/fixtures/definitions/complaint-reopen.scenario.yaml');

  it('runs a scenario, printing each step and the final state', async () => {
    const dir = workspace();
    const result = await wf(dir, 'simulate', 'definitions/complaint.yaml', scenario);
    expect(result.code).toBe(0);
    expect(result.out).toEqual(
      expect.arrayContaining([
        'start by zhang (cs_assistant) at 2026-01-05T01:00:00.000Z → registered',
        '  effect render {"template":"complaint-record","title":"顾客投诉记录"} (from registered)',
        'step 2: dispatch by zhang (cs_assistant) at 2026-01-05T01:00:00.000Z: classified → handling.inProgress',
        "step 3: reply by wang (cs_assistant) at 2026-01-05T01:00:00.000Z: refused as expected: FORBIDDEN 'reply' may only be sent by dept_head; wang has cs_assistant",
        '  deadline armed: contactOverdue at 2026-01-05T10:00:00.000Z',
        '  deadline armed: replyOverdue at 2026-01-08T10:00:00.000Z',
        '  deadline cancelled: contactOverdue (handling left); it was due at 2026-01-05T10:00:00.000Z, so the engine would have sent it before this step',
        '  deadline cancelled: replyOverdue (handling left)',
        'step 5: recordReturnVisit by zhang (cs_assistant) at 2026-01-06T02:00:00.000Z: returnVisit → handling.inProgress',
        'final state: archived (done)',
      ]),
    );
    const context = JSON.parse(result.out[result.out.length - 1].replace(/^context: /, ''));
    expect(context).toMatchObject({ reopenCount: 1, trainingCase: true });
  });

  it('plays deadline events sent by system and shows the timers armed by the states entered', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'late.yaml'),
      [
        'context: { receivedAt: "2026-02-13T09:30:00+08:00", complainant: a, unit: b, contact: c, channel: 来访, content: d }',
        'actor: { id: u, roles: [cs_assistant] }',
        'at: "2026-02-13T10:00:00+08:00"',
        'steps:',
        '  - event: classify',
        '    payload: { valid: true, category: 收费, severity: 一般 }',
        '  - event: dispatch',
        '    payload: { department: 财务部 }',
        '  - event: replyOverdue',
        '    actor: { id: system, roles: [system] }',
        '    at: "2026-02-25T18:00:00+08:00"',
        '    expect: { state: handling.overdue, effects: [notify] }',
        '  - event: explainDelay',
        '    payload: { explanation: 太晚了 }',
        '    expect: { error: EVENT_NOT_ACCEPTED }',
      ].join('\n'),
    );
    const result = await wf(dir, 'simulate', 'definitions/complaint.yaml', 'late.yaml');
    expect(result.code).toBe(0);
    // Friday 13 Feb 2026 + 3 working days: Sat 14 (调休), Tue 24, Wed 25 (春节 in between).
    expect(result.out).toEqual(
      expect.arrayContaining([
        '  deadline armed: contactOverdue at 2026-02-13T10:00:00.000Z',
        '  deadline armed: replyOverdue at 2026-02-25T10:00:00.000Z',
        'step 3: replyOverdue by system (system) at 2026-02-25T10:00:00.000Z: handling.inProgress → handling.overdue',
      ]),
    );
  });

  it('runs compute: domain functions on the instance the scenario built, and prints the computed fields', async () => {
    const fixtures = join(ROOT, 'test/fixtures/simulate');
    const result = await wf(
      ROOT,
      'simulate',
      '--definitions',
      join(fixtures, 'definitions'),
      join(fixtures, 'definitions/collection-drill.yaml'),
      join(fixtures, 'collection-drill.scenario.yaml'),
    );
    expect(result.code).toBe(0);
    // survey.collectionFigures counts the roster, the issued forms and the returned ones from the trail.
    expect(result.out).toEqual(
      expect.arrayContaining([
        '  deadline armed: close at 2026-03-10T10:00:00.000Z',
        'step 5: close by system (system) at 2026-03-10T10:00:00.000Z: collecting → closed',
        '  computed figures: {"households":3,"issued":3,"returned":2,"online":1,"paper":1,"responseRate":0.6666666666666666}',
        '  deadline fired: close (due at 2026-03-10T10:00:00.000Z)',
        'final state: closed (done)',
      ]),
    );
    expect(result.out.filter((l) => l.includes('deadline cancelled'))).toEqual([]);
    const context = JSON.parse(result.out[result.out.length - 1].replace(/^context: /, ''));
    expect(context.figures).toEqual({ households: 3, issued: 3, returned: 2, online: 1, paper: 1, responseRate: 2 / 3 });
  });

  it('computes the monthly complaint figures with complaint.monthlyReport, at the time of the step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-cli-'));
    writeFileSync(
      join(dir, 'monthly.yaml'),
      [
        'businessKey: complaint-report-2026-01',
        'context: { month: "2026-01", dueAt: "2026-02-05T18:00:00+08:00" }',
        'actor: { id: sun, roles: [cs_supervisor] }',
        'at: "2026-02-01T09:00:00+08:00"',
        'steps:',
        '  - event: compile',
        '    actor: { id: system, roles: [system] }',
        '    at: "2026-02-01T09:01:00+08:00"',
        '  - event: submit',
        '    payload: { analysis: 无投诉, proposals: 保持 }',
        '  - event: approve',
        '    actor: { id: li, roles: [manager] }',
        '    expect: { state: published, done: true, effects: [render, notify] }',
      ].join('\n'),
    );
    const result = await wf(ROOT, 'simulate', 'definitions/complaint-monthly-report.yaml', join(dir, 'monthly.yaml'));
    expect(result.code).toBe(0);
    const prefix = '  computed figures: ';
    const computed = result.out.filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)));
    expect(computed).toHaveLength(1);
    expect(computed[0]).toMatchObject({ month: '2026-01', monthTitle: '2026年1月', asOf: '2026-02-01T01:01:00.000Z', received: 0, complaints: [] });
    expect(result.out).toContain('  deadline cancelled: overdue (open left)');
    const context = JSON.parse(result.out[result.out.length - 1].replace(/^context: /, ''));
    expect(context).toMatchObject({ report: computed[0], compiledAt: '2026-02-01T01:01:00.000Z', reviewedBy: 'li' });
  });

  it('refuses an event to a completed instance, as the service does', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'after-end.yaml'),
      [
        'context: { receivedAt: "2026-01-01T08:00:00+08:00", complainant: a, unit: b, contact: c, channel: 来访, content: d }',
        'actor: { id: u, roles: [cs_assistant] }',
        'steps:',
        '  - event: classify',
        '    payload: { valid: false, reason: 重复投诉 }',
        '    expect: { state: invalid, done: true }',
        '  - event: classify',
        '    payload: { valid: true, category: 收费, severity: 一般 }',
        '    expect: { error: INSTANCE_COMPLETED }',
      ].join('\n'),
    );
    const result = await wf(dir, 'simulate', 'definitions/complaint.yaml', 'after-end.yaml');
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      "step 2: classify by u (cs_assistant) at 2026-01-01T00:00:00.000Z: refused as expected: INSTANCE_COMPLETED the instance is completed (state 'invalid') and accepts no more events",
    );
  });

  it('exits 1 when an expectation is not met', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'wrong.yaml'),
      [
        'context: { receivedAt: "2026-01-01T08:00:00+08:00", complainant: a, unit: b, contact: c, channel: 来访, content: d }',
        'actor: { id: u, roles: [cs_assistant] }',
        'steps:',
        '  - event: classify',
        '    payload: { valid: false, reason: 重复投诉 }',
        '    expect: { state: classified }',
      ].join('\n'),
    );
    const result = await wf(dir, 'simulate', 'definitions/complaint.yaml', 'wrong.yaml');
    expect(result.code).toBe(1);
    expect(result.out).toContain('  expectation not met: state: expected classified, got invalid');
  });

  it('refuses a decision by the one who asked (notBy), as the engine does, and lets a colleague decide', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'definitions/self.yaml'),
      [
        'key: self-check',
        'title: 自审检查',
        'roles: { clerk: { title: 经办人 }, lead: { title: 负责人 } }',
        'start: { roles: [clerk] }',
        'context: { type: object, additionalProperties: false, properties: { note: { type: string } } }',
        'initial: draft',
        'states:',
        '  draft:',
        '    on: { submit: { roles: [clerk], target: review } }',
        '  review:',
        '    on:',
        '      approve: { roles: [lead], notBy: [submit], target: done }',
        '      close: { roles: [lead], notBy: [start], target: done }',
        '  done: { type: final }',
      ].join('\n'),
    );
    const both = '{ id: li, roles: [clerk, lead] }';
    writeFileSync(
      join(dir, 'self.yaml'),
      [
        `actor: ${both}`,
        'steps:',
        '  - event: submit',
        '  - { event: approve, expect: { error: GUARD_REJECTED } }',
        '  - { event: close, expect: { error: GUARD_REJECTED } }',
        '  - { event: approve, actor: { id: wang, roles: [lead] }, expect: { state: done } }',
      ].join('\n'),
    );
    const result = await wf(dir, 'simulate', 'definitions/self.yaml', 'self.yaml');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.filter((l) => l.includes('refused as expected'))).toEqual([
      expect.stringMatching(/^step 2: approve by li .*refused as expected: GUARD_REJECTED .*不能审批本人提交的申请/),
      expect.stringMatching(/^step 3: close by li .*refused as expected: GUARD_REJECTED .*不能审批本人提交的申请/),
    ]);
    expect(result.out).toContain('final state: done (done)');
  });

  it('exits 1 and prints the error when a step is refused', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'refused.yaml'),
      [
        'context: { receivedAt: "2026-01-01T08:00:00+08:00", complainant: a, unit: b, contact: c, channel: 来访, content: d }',
        'actor: { id: u, roles: [cs_assistant] }',
        'steps:',
        '  - event: classify',
        '    payload: { valid: maybe }',
      ].join('\n'),
    );
    const result = await wf(dir, 'simulate', 'definitions/complaint.yaml', 'refused.yaml');
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "step 1: classify by u (cs_assistant) at 2026-01-01T00:00:00.000Z: PAYLOAD_INVALID the data sent with 'classify' is not valid: $.valid must be boolean",
    );
  });
});
