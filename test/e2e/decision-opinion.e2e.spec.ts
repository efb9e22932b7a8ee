/**
 * Issue 13, approval verbs: a decision event declares `opinion: required` (审批意见) in the
 * YAML. Over real HTTP on both databases, the engine refuses the decision without a written
 * opinion (or with only spaces), naming the field in Chinese and by JSON path `$.opinion`;
 * with one, the opinion is kept in the audit entry's payload. `opinion: optional` offers the
 * field without requiring it (the bundled exclusion and pause requests' approvals).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/main';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

export const OPINION_YAML = `key: opinion-demo
title: 审批意见示例
roles:
  clerk: { title: 经办人 }
  approver: { title: 审批人 }
start:
  roles: [clerk]
context:
  type: object
  properties: {}
initial: review
states:
  review:
    title: 审批中
    on:
      approve:
        title: 同意
        roles: [approver]
        opinion: required
        target: done
      note:
        title: 备注
        roles: [approver]
        opinion: optional
  done:
    title: 已办结
    type: final
`;

describe.each(DRIVERS)('decision opinion (opinion: required) on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.register(OPINION_YAML, 'opinion-demo.yaml', 'system');
    auth.clerk = { Authorization: `Bearer ${await h.user('clerk', ['clerk'])}` };
    auth.boss = { Authorization: `Bearer ${await h.user('boss', ['approver'])}` };
  });
  afterAll(() => h.close());

  it('refuses a decision without a written opinion and keeps the opinion in the audit entry', async () => {
    const created = (await call('post', 'clerk', '/instances', { definition: 'opinion-demo', businessKey: 'OP-1', context: {} })).body;
    const id = created.id ?? created.instance?.id;
    for (const payload of [{}, { opinion: '   ' }]) {
      const refused = await send('boss', id, 'approve', payload, [422]);
      expect(refused.code).toBe('PAYLOAD_INVALID');
      expect(refused.userMessage).toBe('「同意」需要填写「审批意见」（opinion）：请写明意见后重新提交。');
      expect(refused.errors.map((e: { path: string }) => e.path)).toEqual(['$.opinion']);
    }
    const wrongType = await send('boss', id, 'approve', { opinion: 5 }, [422]);
    expect(wrongType.errors.map((e: { path: string }) => e.path)).toEqual(['$.opinion']);
    expect((await send('boss', id, 'note')).state).toBe('review');
    expect((await send('boss', id, 'approve', { opinion: '同意，按<b>计划</b>执行' })).state).toBe('done');
    const trail = (await call('get', 'boss', `/instances/${id}/audit`)).body.items as { eventType: string; payload: unknown }[];
    expect(trail.map((e) => [e.eventType, e.payload])).toEqual([
      ['$start', expect.anything()],
      ['note', {}],
      ['approve', { opinion: '同意，按<b>计划</b>执行' }],
    ]);
  });

  it('rejects a bad opinion value in the YAML at its line and column', async () => {
    const bad = OPINION_YAML.replace('opinion: required', 'opinion: yes please');
    const res = await h.http.post('/definitions/validate?file=bad.yaml').set(auth.boss).set('Content-Type', 'application/yaml').send(bad);
    const line = bad.split('\n').findIndex((l) => l.includes('opinion: yes please')) + 1;
    expect([res.status, res.body.code]).toEqual([422, 'DEFINITION_INVALID']);
    expect(res.body.errors).toEqual([expect.objectContaining({ line, column: 18, message: expect.stringContaining('must be one of: required, optional') })]);
    const clash = OPINION_YAML.replace('opinion: required', 'opinion: required\n        payload: { type: object, properties: { opinion: { type: string } } }');
    const r2 = await h.http.post('/definitions/validate?file=bad.yaml').set(auth.boss).set('Content-Type', 'application/yaml').send(clash);
    expect(r2.body.errors).toEqual([expect.objectContaining({ line: line + 1, message: expect.stringContaining("'opinion' is the written opinion") })]);
    const bySystem = OPINION_YAML.replace('roles: [approver]\n        opinion: required', 'roles: [approver, system]\n        opinion: required');
    const r3 = await h.http.post('/definitions/validate?file=bad.yaml').set(auth.boss).set('Content-Type', 'application/yaml').send(bySystem);
    expect(r3.body.errors).toEqual([expect.objectContaining({ line, column: 9, message: expect.stringContaining('the engine (system') })]);
  });
});

describe('decision opinion in wf simulate', () => {
  it('refuses the decision without an opinion as the engine does, and accepts it with one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-opinion-'));
    try {
      const file = join(dir, 'opinion-demo.yaml');
      writeFileSync(file, OPINION_YAML);
      const play = async (payload: Record<string, unknown>) => {
        const scenario = join(dir, 'scenario.yaml');
        writeFileSync(
          scenario,
          JSON.stringify({
            businessKey: 'OP-S',
            context: {},
            actor: { id: 'clerk', roles: ['clerk'] },
            at: '2026-03-02T09:00:00+08:00',
            steps: [{ event: 'approve', actor: { id: 'boss', roles: ['approver'] }, at: '2026-03-02T10:00:00+08:00', payload }],
          }),
        );
        const out: string[] = [];
        const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(`stderr: ${l}`), cwd: REPO_ROOT, exitCode: 0 };
        const code = await runCli(['node', 'wf', 'simulate', file, scenario], io);
        return { code, text: out.join('\n') };
      };
      const refused = await play({ opinion: ' ' });
      expect(refused.code).not.toBe(0);
      expect(refused.text).toContain("PAYLOAD_INVALID the data sent with 'approve' is not valid: $.opinion a written opinion is required");
      const accepted = await play({ opinion: '同意' });
      expect(accepted).toMatchObject({ code: 0 });
      expect(accepted.text).toContain('approve by boss (approver) at 2026-03-02T02:00:00.000Z: review → done');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
