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

async function wf(cwd: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, exitCode: 0 };
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
    expect(result.out.slice(1).map((l) => l.split(' ')[0])).toEqual([
      'bad.yaml:1:6',
      'bad.yaml:6:18',
      'bad.yaml:12:5',
      'bad.yaml:16:21',
      'bad.yaml:17:17',
    ]);
  });

  it('checks templates in --templates DIR', async () => {
    const dir = workspace();
    const result = await wf(dir, 'validate', '--templates', 'elsewhere', 'definitions/complaint.yaml');
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^definitions\/complaint.yaml:\d+:\d+ the template 'complaint-record' does not exist: expected the file elsewhere\/complaint-record.hbs$/);
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
        'step 5: recordReturnVisit by zhang (cs_assistant) at 2026-01-06T02:00:00.000Z: returnVisit → handling.inProgress',
        'final state: archived (done)',
      ]),
    );
    const context = JSON.parse(result.out[result.out.length - 1].replace(/^context: /, ''));
    expect(context).toMatchObject({ reopenCount: 1, trainingCase: true });
  });

  it('exits 1 when an expectation is not met', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'wrong.yaml'),
      [
        'context: { complainant: a, unit: b, contact: c, channel: 来访, content: d }',
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

  it('exits 1 and prints the error when a step is refused', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'refused.yaml'),
      [
        'context: { complainant: a, unit: b, contact: c, channel: 来访, content: d }',
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
