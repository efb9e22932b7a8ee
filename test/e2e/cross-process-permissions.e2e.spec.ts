/**
 * Security issue, item 1, over real HTTP (SQLite and PostgreSQL): another process's `emit` and
 * `start` reach a definition only when it accepts them from that process's key (`from:` on the
 * event, `start.from`). A process owner's 30-line definition that emits `applyExclusion` to a
 * survey round and `hold` to every round is refused at upload, at the actions' positions; the
 * same definition written while the round still accepted it is refused at delivery (nothing
 * excluded, nothing held, `GET /outbox` says why); a start of a process that does not accept
 * it is refused at delivery too; the legitimate flows keep working (exclusion-pause e2e).
 */
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const PROJECT = '翠湖花园一期';

/** The attacker's definition: started by its own role, it emits to a round and to every round of the project (by its correlation key) on entry. */
const SWEEP = (roundKey: string) => `key: evil-sweep
title: 清理
roles:
  sweeper: { title: 清理员 }
start:
  roles: [sweeper]
initial: sweeping
states:
  sweeping:
    title: 清理中
    entry:
      - emit:
          event: applyExclusion
          definition: survey-round
          to: "=\\"${roundKey}\\""
          payload: { households: ["1栋-1-101", "1栋-1-102"], requestKey: EVIL-1, reason: 已与我司产生诉讼关系的业主 }
      - emit:
          event: hold
          definition: survey-round
          where: { project: ${PROJECT} }
          payload: { pauseKey: EVIL-1, until: "2099-01-01T00:00:00Z" }
    on:
      finish: { roles: [sweeper], target: done }
  done:
    title: 完成
    type: final
`;

/** A definition that starts another process on entry. */
const STARTER = (target: string) => `key: evil-starter
title: 开单
roles:
  sweeper: { title: 清理员 }
start:
  roles: [sweeper]
initial: opening
states:
  opening:
    title: 开单中
    on:
      open:
        roles: [sweeper]
        actions:
          - start: { definition: ${target}, businessKey: OPENED-1, context: {} }
      finish: { roles: [sweeper], target: done }
  done:
    title: 完成
    type: final
`;

describe.each(DRIVERS)('cross-process permissions on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  let bundledRound = '';

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    bundledRound = (await h.engine.definitions.source((await h.engine.definitions.latest('survey-round')).id)) as string;
    const users: Record<string, string[]> = {
      mallory: ['process_owner', 'sweeper'],
      cs: ['cs_supervisor'],
      mg: ['manager'],
      ca: ['cs_assistant'],
      au: ['auditor'],
    };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  const upload = (yaml: string, file: string) => h.http.post(`/definitions?file=${file}`).set(auth.mallory).set('Content-Type', 'application/yaml').send(yaml);
  /** The line numbers (1-based) of the lines containing `needle`. */
  const linesOf = (text: string, needle: string) => text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));

  async function rosterRound(batch: string) {
    const id = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch, stage: '稳定期' })).body
      .id as string;
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', id, 'approvePlan');
    const csv = Buffer.from(rosterCsv(rosterRows(20)), 'utf8');
    await h.http.put(`/survey/rounds/${id}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    return id;
  }

  it('refuses at upload a definition that emits applyExclusion and hold to survey rounds, at each action, naming what survey-round would have to declare', async () => {
    const yaml = SWEEP(`SR-${PROJECT}-2026-03-稳定期`);
    const res = await upload(yaml, 'evil-sweep.yaml').expect(422);
    expect(res.body.code).toBe('DEFINITION_INVALID');
    const errors = res.body.errors as { file: string; line: number; column: number; message: string }[];
    const [exclusionLine, holdLine] = linesOf(yaml, '- emit:');
    expect(errors.map((e) => [e.file, e.line, e.column])).toEqual([
      ['evil-sweep.yaml', exclusionLine, 9],
      ['evil-sweep.yaml', holdLine, 9],
    ]);
    expect(errors[0].message).toBe(
      "the emit action sends 'applyExclusion' to 'survey-round', but 'survey-round' does not accept 'applyExclusion' from 'evil-sweep': survey-round.yaml would have to list evil-sweep under 'from' of 'applyExclusion' (declared in 'planning', 'planReview', 'roster', 'held')",
    );
    expect(errors[1].message).toContain("would have to list evil-sweep under 'from' of 'hold'");
    await call('get', 'au', '/definitions/evil-sweep', undefined, [404]);
  });

  it('refuses at delivery what the round no longer accepts: nothing excluded, nothing held, GET /outbox says why', async () => {
    // survey-round once accepted both events from evil-sweep, so the upload passed then…
    const permissive = bundledRound
      .replace(/from: \[exclusion-request\]/g, 'from: [exclusion-request, evil-sweep]')
      .replace(/from: \[pause-request\]/g, 'from: [pause-request, evil-sweep]');
    expect((await upload(permissive, 'survey-round.yaml').expect(201)).body.version).toBe(2);
    const yaml = SWEEP(`SR-${PROJECT}-2026-04-稳定期`);
    const [exclusionLine, holdLine] = linesOf(yaml, '- emit:');
    expect((await upload(yaml, 'evil-sweep.yaml').expect(201)).body.findings).toEqual([]);
    // …then its owner withdrew the permission: stored with a warning at each action still sending it.
    const withdrawn = await upload(`${bundledRound}# evil-sweep withdrawn\n`, 'survey-round.yaml').expect(201);
    expect(withdrawn.body.findings.filter((f: { rule: string }) => f.rule === 'acceptance-removed')).toEqual([
      expect.objectContaining({
        file: 'evil-sweep.yaml',
        line: exclusionLine,
        message: expect.stringContaining("'evil-sweep' still emits 'applyExclusion' to 'survey-round'"),
      }),
      expect.objectContaining({
        file: 'evil-sweep.yaml',
        line: holdLine,
        message: expect.stringContaining("'evil-sweep' still emits 'hold' to 'survey-round'"),
      }),
    ]);
    // A round of the newest version (which no longer accepts it) is not reached.
    expect((await call('get', 'au', '/definitions/survey-round')).body.latestVersion).toBe(3);
    const target = await rosterRound('2026-04');
    const before = (await call('get', 'au', `/instances/${target}/audit`)).body.items.length;
    const sweep = (await call('post', 'mallory', '/instances', { definition: 'evil-sweep', businessKey: 'SW-1', context: {} })).body.id;
    await h.engine.runDueWork();
    // Both messages failed at the first attempt (a refusal is not retried), each saying why.
    const failed = (await call('get', 'au', '/outbox?status=failed')).body.items.filter((m: { instanceId: string }) => m.instanceId === sweep) as {
      status: string;
      attempts: number;
      lastError: string;
      params: { event: string };
    }[];
    const byEvent = Object.fromEntries(failed.map((m) => [m.params.event, m]));
    expect(byEvent.applyExclusion).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^UNDELIVERABLE: 'applyExclusion' from 'evil-sweep'/) });
    expect(byEvent.applyExclusion.lastError).toContain(`instance ${target}: 'survey-round' does not accept 'applyExclusion' from 'evil-sweep'`);
    expect(byEvent.hold).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^UNDELIVERABLE: 'hold' from 'evil-sweep'/) });
    expect(byEvent.hold.lastError).toContain(`instance ${target}: 'survey-round' does not accept 'hold' from 'evil-sweep'`);
    expect((await get('cs', target)).state).toBe('roster');
    expect((await call('get', 'au', `/instances/${target}/audit`)).body.items).toHaveLength(before);
    const households = (await call('get', 'cs', `/survey/rounds/${target}/households`)).body.items as { excluded: boolean }[];
    expect(households.filter((x) => x.excluded)).toEqual([]);
  }, 120_000);

  it('refuses a start the started process does not accept: a target not uploaded yet is stored with a warning and decided by its own start.from at delivery', async () => {
    // complaint accepts starts from survey-round only.
    const refused = await upload(STARTER('complaint'), 'evil-starter.yaml').expect(422);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        line: linesOf(STARTER('complaint'), '- start:')[0],
        column: 13,
        message:
          "the start action starts 'complaint', but 'complaint' does not accept being started by 'evil-starter': complaint.yaml would have to list evil-starter under start.from (start: { from: [evil-starter] })",
      }),
    ]);
    const later = await upload(STARTER('later-process'), 'evil-starter.yaml').expect(201);
    expect(later.body.findings).toEqual([
      expect.objectContaining({ rule: 'target-not-uploaded', message: expect.stringContaining("names 'later-process', which is not uploaded yet") }),
    ]);
    const target = `key: later-process
title: 后来的流程
roles:
  clerk: { title: 客服 }
start:
  roles: [clerk]
initial: open
states:
  open:
    title: 处理中
    on:
      finish: { roles: [clerk], target: done }
  done:
    title: 完成
    type: final
`;
    const stored = await upload(target, 'later-process.yaml').expect(201);
    expect(stored.body.findings).toEqual([expect.objectContaining({ rule: 'acceptance-removed', file: 'evil-starter.yaml' })]);
    const starter = (await call('post', 'mallory', '/instances', { definition: 'evil-starter', businessKey: 'ST-1', context: {} })).body.id;
    await send('mallory', starter, 'open');
    await h.engine.runDueWork();
    const [message] = (await call('get', 'au', `/instances/${starter}/outbox`)).body.items;
    expect(message).toMatchObject({
      kind: 'start',
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining("UNDELIVERABLE: starting 'later-process' from 'evil-starter'"),
    });
    expect(message.lastError).toContain('later-process.yaml would have to list evil-starter under start.from');
    expect((await call('get', 'au', '/instances?definition=later-process')).body.items).toEqual([]);
  }, 60_000);
});
