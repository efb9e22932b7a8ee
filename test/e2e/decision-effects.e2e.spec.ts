/**
 * Issue 12 item 4 over real HTTP (SQLite and PostgreSQL): an approval and its effect are one.
 * Two pending exclusion requests name the same household; the second approval excludes every
 * household it names that is not yet excluded, and reports the rest to the approver (response),
 * the applicant (notice) and the auditor (trail). No outbox message can fail afterwards. An
 * approval whose effect cannot be applied (the round is held) is refused when it is given.
 * And where an effect is still delivered after the step (an `emit`/`start` the receiver refuses
 * then), its failure reaches people: the roles of the one who took the step get a notice.
 */
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const PROJECT = '翠湖花园一期';
const DAY = 24 * 3600 * 1000;

/** A case whose emit the receiving case refuses once it has moved on (any process, nothing bundled). */
const HANDOVER_TARGET = `
key: handover-target
title: 钥匙交接对象
roles:
  clerk: { title: 办事员 }
start:
  roles: [clerk]
initial: waiting
states:
  waiting:
    title: 待交接
    on:
      receive: { title: 接收钥匙, from: [handover-request], target: received }
      lock: { title: 锁定, roles: [clerk], target: locked }
  locked:
    title: 已锁定
    on:
      unlock: { title: 解锁, roles: [clerk], target: waiting }
  received:
    title: 已接收
    type: final
`;
const HANDOVER_REQUEST = `
key: handover-request
title: 钥匙交接申请
roles:
  clerk: { title: 办事员 }
start:
  roles: [clerk]
initial: open
states:
  open:
    title: 待批准
    on:
      approve:
        title: 批准交接
        roles: [clerk]
        target: done
        actions:
          - emit: { event: receive, definition: handover-target, to: =context.target }
  done:
    title: 已批准
    type: final
`;

describe.each(DRIVERS)('an approval and its effect are one, on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = {
      cs: ['cs_supervisor'],
      mg: ['manager'],
      ca: ['cs_assistant'],
      lead: ['project_cr_lead'],
      region: ['regional_cr'],
      group: ['group_satisfaction'],
      head: ['project_head'],
      gcr: ['group_cr'],
      au: ['auditor'],
      po: ['process_owner'],
      clerk: ['clerk'],
      admin: ['admin'],
    };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  const work = () => h.engine.runDueWork();

  async function rosterRound(batch: string) {
    const id = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch, stage: '稳定期' })).body
      .id as string;
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', id, 'approvePlan');
    const csv = Buffer.from(rosterCsv(rosterRows(20)), 'utf8');
    await h.http.put(`/survey/rounds/${id}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    return id;
  }
  async function submitted(no: string, batch: string, households: string[]) {
    const context = {
      requestNo: no,
      project: PROJECT,
      batches: [batch],
      stages: ['稳定期'],
      reason: '群诉的带头人',
      evidence: '2026年2月群诉登记表',
      households: households.map((id) => ({ householdId: id, room: id, ownerName: '李娜' })),
    };
    const id = (await call('post', 'lead', '/instances', { definition: 'exclusion-request', businessKey: no, context })).body.id as string;
    await send('lead', id, 'submit');
    return id;
  }
  const excluded = async (round: string) =>
    ((await call('get', 'cs', `/survey/rounds/${round}/households`)).body.items as { id: string; excluded: boolean }[])
      .filter((x) => x.excluded)
      .map((x) => x.id)
      .sort();
  const failedOutbox = async (id: string) =>
    ((await call('get', 'au', `/instances/${id}/outbox`)).body.items as { kind: string; status: string; lastError?: string }[]).filter(
      (m) => m.status !== 'delivered',
    );

  it('the second of two requests naming the same household excludes the rest and reports the one already excluded', async () => {
    const round = await rosterRound('2026-03');
    // Both are pending together: neither household is excluded when they are submitted.
    const first = await submitted('EX-A', '2026-03', ['1栋-1-101', '1栋-1-102']);
    const second = await submitted('EX-B', '2026-03', ['1栋-1-102', '1栋-1-103']);

    await send('region', first, 'approve', { opinion: '同意' });
    expect((await send('group', first, 'approve', { opinion: '同意' })).state).toBe('approved');
    // No worker run between the two approvals: the effect of the first must not wait for it.
    await send('region', second, 'approve', { opinion: '同意' });
    const approved = await send('group', second, 'approve', { opinion: '同意' });
    expect(approved.state).toBe('approved');
    expect(approved.context.exclusion).toMatchObject({ excluded: ['1栋-1-103'], alreadyExcluded: ['1栋-1-102'] });
    // Applied with the approval itself, before any worker ran.
    expect(await excluded(round)).toEqual(['1栋-1-101', '1栋-1-102', '1栋-1-103']);

    await work();
    await work();
    expect(await excluded(round)).toEqual(['1栋-1-101', '1栋-1-102', '1栋-1-103']);
    expect(await failedOutbox(first)).toEqual([]);
    expect(await failedOutbox(second)).toEqual([]);
    const inbox = (await call('get', 'lead', '/inbox')).body.items as { instanceId: string; message: string }[];
    const notice = inbox.filter((i) => i.instanceId === second).map((i) => i.message);
    expect(notice).toEqual([expect.stringContaining('1栋-1-103')]);
    expect(notice[0]).toContain('1栋-1-102');
    expect(notice[0]).toContain('此前已由其他申请剔除，本申请未重复剔除：1栋-1-102（EX-A）');
    const trail = (await call('get', 'au', `/instances/${second}/audit`)).body.items;
    expect(trail.at(-1)).toMatchObject({ eventType: 'approve', actor: 'group', payload: { round: { alreadyExcluded: ['1栋-1-102'] } } });
  });

  it('refuses an approval naming only households already excluded, with the reason, at the moment it is given', async () => {
    const round = await rosterRound('2026-04');
    const first = await submitted('EX-C', '2026-04', ['1栋-1-104']);
    const second = await submitted('EX-D', '2026-04', ['1栋-1-104']);
    // Both wait for the group; the group approves the first, then the second.
    await send('region', first, 'approve', { opinion: '同意' });
    await send('region', second, 'approve', { opinion: '同意' });
    await send('group', first, 'approve', { opinion: '同意' });
    const refused = await send('group', second, 'approve', { opinion: '同意' }, [409]);
    expect(refused.userMessage).toBe('申请剔除的住户均已在本批次剔除或不在名单中，无需再批准：1栋-1-104（EX-C）');
    expect((await get('au', second)).state).toBe('groupReview');
    expect(await excluded(round)).toEqual(['1栋-1-104']);
  });

  it('two approvals at the same moment: what each says it excluded is exactly what is excluded, by it', async () => {
    const round = await rosterRound('2026-06');
    const a = await submitted('EX-H', '2026-06', ['1栋-1-101', '1栋-1-102']);
    const b = await submitted('EX-I', '2026-06', ['1栋-1-102', '1栋-1-103']);
    await send('region', a, 'approve', { opinion: '同意' });
    await send('region', b, 'approve', { opinion: '同意' });
    const answers = await Promise.all(
      [a, b].map((id) =>
        h.http
          .post(`/instances/${id}/events`)
          .set(auth.group)
          .send({ type: 'approve', payload: { opinion: '同意' } }),
      ),
    );
    // Either both are approved (the later one excluding the rest) or the later is refused with a retry message.
    for (const res of answers) expect([200, 409]).toContain(res.status);
    expect(answers.some((r) => r.status === 200)).toBe(true);
    const rows = (await call('get', 'cs', `/survey/rounds/${round}/households`)).body.items as { id: string; excludedBy: string | null }[];
    for (const [id, res] of [a, b].map((x, i) => [x, answers[i]] as const)) {
      const view = await get('au', id);
      const mine = rows.filter((r) => r.excludedBy === view.context.requestNo).map((r) => r.id);
      if (res.status === 200) expect(view.context.exclusion.excluded.sort()).toEqual(mine.sort());
      else {
        expect(res.body.userMessage).toContain('请刷新后重新审批');
        expect(view.state).toBe('groupReview');
        expect(mine).toEqual([]);
      }
    }
    await work();
    expect(await failedOutbox(a)).toEqual([]);
    expect(await failedOutbox(b)).toEqual([]);
  });

  it('refuses an approval while the round is held by a pause, instead of approving what cannot be applied', async () => {
    clock.set('2026-05-01T01:00:00.000Z');
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: 'correct horse battery' });
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
    const round = await rosterRound('2026-05');
    const request = await submitted('EX-E', '2026-05', ['1栋-1-201']);
    await send('region', request, 'approve', { opinion: '同意' });
    const start = new Date(clock.now().getTime() + 3600_000);
    const pause = (
      await call('post', 'head', '/instances', {
        definition: 'pause-request',
        businessKey: 'PA-E',
        context: {
          requestNo: 'PA-E',
          project: PROJECT,
          reason: '台风“海葵”造成小区严重受损',
          impact: '业主临时安置，无法正常入户调研',
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + 10 * DAY).toISOString(),
        },
      })
    ).body.id;
    await send('head', pause, 'submit');
    await send('region', pause, 'approve', { opinion: '同意' });
    await send('gcr', pause, 'approve', { opinion: '同意' });
    clock.set(start);
    await work();
    await work();
    expect((await get('cs', round)).state).toBe('held');
    const refused = await send('group', request, 'approve', { opinion: '同意' }, [409]);
    expect(refused.message).toContain('暂停');
    expect((await get('au', request)).state).toBe('groupReview');
    await work();
    expect(await excluded(round)).toEqual([]);
    expect(await failedOutbox(request)).toEqual([]);
  });

  it('tells the roles of the one who decided when an effect delivered after the decision fails', async () => {
    for (const yaml of [HANDOVER_TARGET, HANDOVER_REQUEST]) {
      await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(yaml).expect(201);
    }
    const target = (await call('post', 'clerk', '/instances', { definition: 'handover-target', businessKey: 'KEY-7', context: {} })).body.id as string;
    const request = (await call('post', 'clerk', '/instances', { definition: 'handover-request', businessKey: 'HR-7', context: { target: 'KEY-7' } })).body
      .id as string;
    await send('clerk', target, 'lock');
    expect((await send('clerk', request, 'approve')).state).toBe('done');
    await work();
    const [failed] = await failedOutbox(request);
    expect(failed).toMatchObject({ kind: 'emit', status: 'failed' });
    const notices = (await call('get', 'clerk', '/inbox')).body.items.filter((i: { instanceId: string }) => i.instanceId === request);
    expect(notices.map((i: { message: string }) => i.message)).toEqual([
      '钥匙交接申请 HR-7 的“批准交接”已办理，但其后续操作未能生效（向“钥匙交接对象”发送“接收钥匙”）：「接收钥匙」只能在「待交接」时办理，该钥匙交接对象现在处于「已锁定」；现在可以办理的是「解锁」。请刷新页面查看最新状态后再操作。请核对相关事项，必要时请流程负责人处理。',
    ]);
    // Delivered again (a second worker run) nothing is added twice.
    await work();
    expect((await call('get', 'clerk', '/inbox')).body.items.filter((i: { instanceId: string }) => i.instanceId === request)).toHaveLength(1);
  });
});
