/**
 * Issue 4, corrective actions: a small round's written comments become the opinion records of
 * 《客户意见处理表》 (F003), and one of them is turned into a complaint (channel 调研意见) started
 * by the round, over real HTTP on both databases. Owners' names and phones stay out of the
 * round's audit trail and of the F003 document (room and masked name only).
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';

const PROJECT = '翠湖花园二期';
const ITEMS = ['order', 'traffic', 'cleaning', 'greenery', 'utilities', 'elevator', 'repairs', 'community', 'complaints'];

describe.each(DRIVERS)('survey opinions turned into complaints on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = { cs: ['cs_supervisor'], ca: ['cs_assistant'], mg: ['manager'], au: ['auditor'], gr: ['group_cr'] };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send } = apiAs(() => h, auth);

  it('records the F003 opinions after the analysis and raises a complaint from one of them', async () => {
    const rows = rosterRows(30);
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2026-03', stage: '稳定期' }))
      .body;
    const id = round.id as string;
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 8 });
    await send('mg', id, 'approvePlan');
    await h.http
      .put(`/survey/rounds/${id}/roster?fileName=roster.csv`)
      .set(auth.ca)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(rosterCsv(rows), 'utf8'))
      .expect(200);
    await send('cs', id, 'freezeRoster');
    await call('post', 'cs', `/survey/rounds/${id}/sample`);
    const tokens = (await call('post', 'cs', `/survey/rounds/${id}/tokens`)).body.tokens as { householdId: string; token: string }[];
    expect(tokens).toHaveLength(8);

    // Every sampled household answers; three write a comment (two about the elevator).
    const texts = ['电梯经常困梯，维修不及时', '电梯按钮失灵', '希望多组织社区文化活动'];
    const commented = tokens.slice(0, 3).map((t, k) => ({ householdId: t.householdId, text: texts[k] }));
    for (const [k, t] of tokens.entries()) {
      const ratings = Object.fromEntries(ITEMS.map((item) => [item, 'satisfied']));
      await h.http
        .post(`/survey/answer/${t.token}`)
        .send(k < 3 ? { ratings, comments: { other: texts[k] } } : { ratings })
        .expect(201);
    }
    await send('cs', id, 'closeCollection');
    expect((await send('cs', id, 'compile')).state).toBe('analysing');

    // Nothing to turn into a complaint before the opinions are recorded.
    const early = await send(
      'cs',
      id,
      'raiseComplaint',
      { householdId: commented[0].householdId, content: 'x', complainant: '业主', contact: '13800000000' },
      [409],
    );
    expect(early.message).toContain('请先生成客户意见处理表');

    const recorded = await send('cs', id, 'recordOpinions', { commonGroups: ['elevator'] });
    const opinions = recorded.context.opinions as { householdId: string; room: string; ownerName: string; content: string; kind: string; contact?: string }[];
    expect(opinions).toHaveLength(3);
    const byHousehold = new Map(opinions.map((o) => [o.householdId, o]));
    for (const c of commented) {
      const row = rows.find((r) => `${r.building}-${r.unit}-${r.room}` === c.householdId)!;
      expect(byHousehold.get(c.householdId)).toEqual({
        householdId: c.householdId,
        commentId: expect.any(String),
        room: `${row.building} ${row.unit}单元 ${row.room}`,
        ownerName: [...row.ownerName][0] + '*'.repeat([...row.ownerName].length - 1),
        content: c.text,
        kind: c.text.startsWith('电梯') ? 'common' : 'general',
      });
    }

    // The F003 document lists every comment with the room and masked name, never the full contact.
    const docs = (await call('get', 'au', `/instances/${id}/documents`)).body;
    const record = (docs.items ?? docs).find((d: { template: string }) => d.template === 'opinion-record');
    expect(record).toBeDefined();
    const html = (await call('get', 'au', `/documents/${record.id}`)).text;
    expect(html).toContain('QP-08-15-F003');
    for (const o of opinions) {
      expect(html).toContain(o.content);
      expect(html).toContain(o.room);
      expect(html).toContain(o.ownerName);
    }
    const trailText = JSON.stringify((await call('get', 'au', `/instances/${id}/audit`)).body);
    for (const c of commented) {
      const row = rows.find((r) => `${r.building}-${r.unit}-${r.room}` === c.householdId)!;
      expect(html).not.toContain(row.phone);
      expect(trailText).not.toContain(row.phone);
      expect(trailText).not.toContain(row.ownerName);
    }

    // One opinion becomes a complaint, started by the round as a child instance.
    const first = opinions[0];
    const raised = await send('ca', id, 'raiseComplaint', {
      householdId: first.householdId,
      content: first.content,
      complainant: '业主本人',
      contact: '0755-12345678',
    });
    const key = `SR-${PROJECT}-2026-03-稳定期-意见-${first.householdId}`;
    expect(raised.context.complaints).toEqual([expect.objectContaining({ key, room: first.room, content: first.content, raisedBy: 'ca' })]);
    const again = await send(
      'cs',
      id,
      'raiseComplaint',
      { householdId: first.householdId, content: 'y', complainant: '业主本人', contact: '0755-12345678' },
      [409],
    );
    expect(again.message).toContain(key);
    await h.engine.runDueWork();

    const complaints = (await call('get', 'au', '/instances?definition=complaint')).body.items as { id: string; businessKey: string; parentId: string }[];
    const complaint = complaints.find((c) => c.businessKey === key);
    expect(complaint).toBeDefined();
    expect(complaint!.parentId).toBe(id);
    const view = (await call('get', 'cs', `/instances/${complaint!.id}`)).body;
    expect(view.state).toBe('registered');
    expect(view.context).toMatchObject({ channel: '调研意见', unit: first.room, content: first.content, complainant: '业主本人', contact: '0755-12345678' });
    expect(Number.isNaN(Date.parse(view.context.receivedAt))).toBe(false);
    const complaintTrail = (await call('get', 'au', `/instances/${complaint!.id}/audit`)).body.items as {
      eventType: string;
      actor: string;
      cause: Record<string, unknown>;
    }[];
    expect(complaintTrail[0]).toMatchObject({
      eventType: '$start',
      actor: 'process:survey-round',
      cause: { kind: 'outbox', instanceId: id, definition: 'survey-round' },
    });
    // The complaint's time line names the process that opened it, not 系统 (the engine alone).
    const timeline = (await call('get', 'cs', `/complaints/${complaint!.id}/timeline`)).body.items as string[];
    expect(timeline[0]).toContain('流程 survey-round　登记投诉');
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });

    // Item 6: the name and phone typed for the complaint are personal data (`personal:` in
    // survey-round.yaml and complaint.yaml). The manager, the auditor and the group read them
    // masked on every path — the round's trail, its outbox, the whole outbox, its related cases,
    // the complaint itself — while the CS center reads them in clear and the chain still verifies.
    const clear = ['业主本人', '0755-12345678'];
    const roundPaths = [`/instances/${id}/audit`, `/instances/${id}/outbox`, `/instances/${id}/related`];
    const complaintPaths = [
      `/instances/${complaint!.id}`,
      `/instances/${complaint!.id}/audit`,
      `/instances/${complaint!.id}/related`,
      '/instances?definition=complaint',
    ];
    const readers: [string, string[]][] = [
      ['mg', [...roundPaths, ...complaintPaths]],
      ['au', [...roundPaths, ...complaintPaths, '/outbox']],
      ['gr', roundPaths],
    ];
    for (const [who, paths] of readers) {
      for (const path of paths) {
        const text = JSON.stringify((await call('get', who, path)).body);
        for (const c of clear) expect({ who, path, leaks: text.includes(c) }).toEqual({ who, path, leaks: false });
      }
    }
    const masked = (await call('get', 'au', `/instances/${id}/audit`)).body.items.find((e: { eventType: string }) => e.eventType === 'raiseComplaint');
    expect(masked.payload).toMatchObject({ complainant: '业***', contact: '075****5678' });
    expect((await call('get', 'mg', `/instances/${complaint!.id}`)).body.context).toMatchObject({ complainant: '业***', contact: '075****5678' });
    expect(JSON.stringify((await call('get', 'cs', `/instances/${id}/audit`)).body)).toContain('0755-12345678');
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
  }, 120_000);
});
