/**
 * Issue 6 end to end over real HTTP (SQLite and PostgreSQL): exclusion requests approved by the
 * region and the group remove exactly their households from the round; refusals (after the
 * roster froze, several stages, twice the same household, self-approval); a pause holds the
 * project's active round, an extension filed in time moves the end, the round resumes by
 * itself at the end and a late extension is refused; no round starts in a paused project; the
 * participation table refuses an excluded stage unless the group CR overrides; approvers' work
 * list; an auditor sees every request that touched a round with its decisions.
 */
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const PROJECT = '翠湖花园一期';
const DAY = 24 * 3600 * 1000;

describe.each(DRIVERS)('exclusion and pause requests on %s', (driver) => {
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
      dual: ['project_cr_lead', 'regional_cr'],
      head: ['project_head'],
      gcr: ['group_cr'],
      au: ['auditor'],
    };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  const work = () => h.engine.runDueWork();

  async function newRound(batch: string, stage = '稳定期') {
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch, stage })).body;
    return round.id as string;
  }
  async function approvedRound(batch: string) {
    const id = await newRound(batch);
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', id, 'approvePlan');
    return id;
  }
  async function importRoster(id: string) {
    const csv = Buffer.from(rosterCsv(rosterRows(60)), 'utf8');
    await h.http.put(`/survey/rounds/${id}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
  }
  async function exclusionRequest(no: string, households: string[], extra: Record<string, unknown> = {}, by = 'lead') {
    const context = {
      requestNo: no,
      project: PROJECT,
      batches: ['2026-03'],
      stages: ['稳定期'],
      reason: '已与我司产生诉讼关系的业主',
      evidence: '（2026）民初字第12号案件受理通知书',
      households: households.map((id) => ({ householdId: id, room: id, ownerName: '王伟' })),
      ...extra,
    };
    return (await call('post', by, '/instances', { definition: 'exclusion-request', businessKey: no, context })).body.id as string;
  }

  it('applies an exclusion approved by the region and the group to exactly its households, and refuses the rest', async () => {
    const round = await approvedRound('2026-03');
    await importRoster(round);

    // Approved by the region (email 附件一 to the group, CR head in cc) and by the group.
    const req = await exclusionRequest('EX-1', ['1栋-1-101', '1栋-1-102']);
    // Evidence is uploaded first, then cited by its SHA-256 in the (audited) submission.
    const pdf = Buffer.from('%PDF-1.4 受理通知书', 'utf8');
    const uploaded = (
      await h.http
        .post(`/instances/${req}/attachments?name=${encodeURIComponent('受理通知书.pdf')}`)
        .set(auth.lead)
        .set('Content-Type', 'application/pdf')
        .send(pdf)
        .expect(201)
    ).body;
    expect(uploaded).toMatchObject({ name: '受理通知书.pdf', size: pdf.length, contentType: 'application/pdf' });
    await h.http.post(`/instances/${req}/attachments?name=x.pdf`).set(auth.au).set('Content-Type', 'application/pdf').send(pdf).expect(403);
    const back = await h.http
      .get(`/attachments/${uploaded.id}`)
      .set(auth.region)
      .buffer(true)
      .parse((res, done) => {
        const c: Buffer[] = [];
        res.on('data', (d: Buffer) => c.push(d));
        res.on('end', () => done(null, Buffer.concat(c)));
      });
    expect(Buffer.compare(back.body, pdf)).toBe(0);
    await send('lead', req, 'submit', { attachments: [{ name: uploaded.name, sha256: uploaded.sha256 }] });
    const submitted = (await call('get', 'au', `/instances/${req}/audit`)).body.items.at(-1);
    expect(submitted.payload.attachments).toEqual([{ name: '受理通知书.pdf', sha256: uploaded.sha256 }]);
    const tasks = (await call('get', 'region', '/tasks?definition=exclusion-request')).body.items;
    expect(
      tasks.map((t: { instance: { businessKey: string }; events: { type: string }[] }) => [t.instance.businessKey, t.events.map((e) => e.type).sort()]),
    ).toEqual([['EX-1', ['approve', 'decline', 'returnForInfo']]]);
    expect(tasks[0].instance.context).toMatchObject({
      batches: ['2026-03'],
      stages: ['稳定期'],
      households: expect.arrayContaining([expect.objectContaining({ householdId: '1栋-1-101' })]),
    });
    // The regional decision needs a written opinion (opinion: required), recorded with the decision.
    const without = await send('region', req, 'approve', {}, [422]);
    expect([without.code, without.userMessage, without.errors]).toEqual([
      'PAYLOAD_INVALID',
      '「研判通过」需要填写「审批意见」（opinion）：请写明意见后重新提交。',
      [{ path: '$.opinion', message: 'a written opinion is required' }],
    ]);
    const regional = await send('region', req, 'approve', { opinion: '诉讼属实' });
    expect([regional.state, regional.context.regionalDecision.comment]).toEqual(['groupReview', '诉讼属实']);
    const outbox = (await call('get', 'au', `/instances/${req}/outbox`)).body.items;
    expect(outbox.find((m: { kind: string }) => m.kind === 'email').params).toMatchObject({
      to: ['satisfaction-group@example.com'],
      cc: ['cr-head@example.com'],
    });
    expect((await send('group', req, 'approve', { opinion: '同意' })).state).toBe('approved');
    await work();
    const households = (await call('get', 'cs', `/survey/rounds/${round}/households`)).body.items as { id: string; excluded: boolean }[];
    expect(
      households
        .filter((x) => x.excluded)
        .map((x) => x.id)
        .sort(),
    ).toEqual(['1栋-1-101', '1栋-1-102']);
    expect(households).toHaveLength(60);
    // Applied by the approval itself, in its own transaction: each row names the request.
    expect(households.filter((x) => x.excluded).map((x) => (x as unknown as { excludedBy: string }).excludedBy)).toEqual(['EX-1', 'EX-1']);
    const approval = (await call('get', 'au', `/instances/${req}/audit`)).body.items.at(-1);
    expect(approval.effects.effects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'apply',
          params: expect.objectContaining({
            function: 'survey.excludeFromRound',
            with: expect.objectContaining({ round, households: ['1栋-1-101', '1栋-1-102'] }),
          }),
        }),
      ]),
    );

    // Refused: the same household again; two stages at once; self-approval.
    const again = await exclusionRequest('EX-2', ['1栋-1-102']);
    const twice = await send('lead', again, 'submit', {}, [409]);
    expect(twice.message).toContain('以下住户已在本批次剔除，不能重复剔除：1栋-1-102');
    const twoStages = await exclusionRequest('EX-3', ['1栋-1-103'], { stages: ['磨1', '磨2'] });
    expect((await send('lead', twoStages, 'submit', {}, [409])).message).toContain('不得多批次多阶段合并申请');
    const own = await exclusionRequest('EX-4', ['1栋-1-104'], {}, 'dual');
    await send('dual', own, 'submit');
    expect((await send('dual', own, 'approve', { opinion: '同意' }, [409])).message).toBe("'approve' was refused: 不能审批本人提交的申请");
    expect((await get('au', own)).state).toBe('regionalReview');

    // After the roster is frozen, a new request is refused.
    await send('cs', round, 'freezeRoster');
    const late = await exclusionRequest('EX-5', ['1栋-1-104']);
    expect((await send('lead', late, 'submit', {}, [409])).message).toContain('调研名单已冻结');

    // An auditor sees every request that touched the round, with its chain of decisions.
    const related = (await call('get', 'au', `/instances/${round}/related`)).body.items;
    const ex1 = related.find((r: { instance: { businessKey: string } }) => r.instance.businessKey === 'EX-1');
    expect(ex1.relation).toBe('applied its decision to it');
    expect(ex1.trail.map((e: { eventType: string; actor: string }) => `${e.eventType}:${e.actor}`)).toEqual([
      '$start:lead',
      'submit:lead',
      'approve:region',
      'approve:group',
    ]);
    expect(ex1.instance.context.decisions.map((d: { decision: string }) => d.decision)).toEqual(['提交', '区域研判通过', '集团批准']);
  });

  it('holds the active round during an approved pause, extends it when asked in time, resumes by itself, refuses a late extension', async () => {
    clock.set('2026-04-01T01:00:00.000Z');
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: 'correct horse battery' });
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
    const round = await approvedRound('2026-04');
    await importRoster(round);
    const start = new Date(clock.now().getTime() + 3600_000);
    const end = new Date(start.getTime() + 10 * DAY);
    const pause = (
      await call('post', 'head', '/instances', {
        definition: 'pause-request',
        businessKey: 'PA-1',
        context: {
          requestNo: 'PA-1',
          project: PROJECT,
          reason: '台风“海葵”造成小区严重受损',
          impact: '业主临时安置，无法正常入户调研',
          startsAt: start.toISOString(),
          endsAt: end.toISOString(),
        },
      })
    ).body.id;
    await send('head', pause, 'submit');
    const form = (await call('get', 'head', `/instances/${pause}/documents`)).body.items;
    expect(form.map((d: { template: string }) => d.template)).toEqual(['pause-application']);
    await send('region', pause, 'approve', { opinion: '同意' });
    expect((await send('gcr', pause, 'approve', { opinion: '同意' })).state).toBe('scheduled');
    clock.set(start);
    await work();
    await work();
    expect((await get('au', pause)).state).toBe('paused');
    expect((await get('cs', round)).state).toBe('held');
    // The round's entry names the sending process and instance; system stays the engine alone.
    const held = (await call('get', 'au', `/instances/${round}/audit`)).body.items.find((e: { eventType: string }) => e.eventType === 'hold');
    expect(held).toMatchObject({
      actor: 'process:pause-request',
      actorRoles: ['process'],
      cause: { kind: 'outbox', instanceId: pause, definition: 'pause-request' },
    });

    // No new round starts in the paused project.
    const blocked = await newRound('2026-05');
    const refused = await send('cs', blocked, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 }, [409]);
    expect(refused.message).toContain('该项目/分期已暂停满意度调研（PA-1）');

    // An extension filed before the end moves it.
    const newEnd = new Date(end.getTime() + 5 * DAY);
    await send('head', pause, 'requestExtension', { endsAt: newEnd.toISOString(), reason: '修复工程延期' });
    await send('gcr', pause, 'approveExtension', { opinion: '同意' });
    clock.set(new Date(end.getTime() + 1000));
    await work();
    expect((await get('au', pause)).state).toBe('paused');
    expect((await get('cs', round)).state).toBe('held');
    clock.set(new Date(newEnd.getTime() + 1000));
    await work();
    await work();
    expect((await get('au', pause)).state).toBe('ended');
    expect((await get('cs', round)).state).toBe('roster');
    const late = await send('head', pause, 'requestExtension', { endsAt: new Date(newEnd.getTime() + DAY).toISOString(), reason: '再延' }, [409]);
    expect(late.message).toContain('暂停期已于');
    expect(late.message).toContain('延期须在期满前申请');
    const holds = (await get('cs', round)).context.holds;
    expect(holds).toEqual([expect.objectContaining({ pauseKey: 'PA-1', from: 'roster' })]);
  });

  it('refuses a round for a stage the participation table excludes, naming the rule, unless the group CR overrides', async () => {
    const round = await newRound('2026-06', '老业主');
    await send('cs', round, 'declareProject', {
      projectFacts: {
        productType: '公寓(含居住功能)',
        brand: true,
        completedHomeSale: false,
        roles: { lead: true, sales: 'responsible', delivery: 'responsible', afterDelivery: 'responsible', property: 'responsible' },
      },
    });
    const refused = await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 }, [409]);
    expect(refused.message).toContain('P2');
    await send('gcr', round, 'overrideParticipation', { reason: '集团专项调研，特殊情况判定参与' });
    const planned = await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    expect(planned.state).toBe('planReview');
    expect(planned.context.participation).toMatchObject({ allowed: true, override: expect.objectContaining({ by: 'gcr' }) });
  });
});
