/**
 * Issue 12 item 7 over real HTTP (SQLite and PostgreSQL): a round whose response rate is below
 * the validity threshold does not wait forever. Entering 回收率未达标，待决定 arms a reminder to
 * the manager and an escalation to the regional CR platform (rules.decisionRemindAfter /
 * rules.decisionEscalateAfter, working days on the business calendar); the manager can still
 * extend or close, and deciding cancels what is left.
 */
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const PROJECT = '翠湖花园二期';

describe.each(DRIVERS)('a round below the validity threshold on %s', (driver) => {
  let h: Harness;
  // Monday 2026-03-02 09:00 in Shanghai.
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = { cs: ['cs_supervisor'], ca: ['cs_assistant'], mg: ['manager'], region: ['regional_cr'], au: ['auditor'] };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  /** Fires due timers, then delivers what they queued. */
  const work = async () => {
    await h.engine.runDueWork();
    await h.engine.runDueWork();
  };
  const inbox = async (who: string, id: string) =>
    ((await call('get', who, '/inbox')).body.items as { instanceId: string; message: string }[]).filter((i) => i.instanceId === id).map((i) => i.message);
  const pendingTimers = async (id: string) =>
    ((await call('get', 'au', `/instances/${id}/timers`)).body.items as { eventType: string; status: string; dueAt: string }[])
      .filter((t) => t.status === 'pending')
      .map((t) => `${t.eventType}@${t.dueAt}`)
      .sort();

  async function belowThreshold(batch: string) {
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch, stage: '稳定期' })).body
      .id as string;
    await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', round, 'approvePlan');
    const csv = Buffer.from(rosterCsv(rosterRows(40)), 'utf8');
    await h.http.put(`/survey/rounds/${round}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    await send('cs', round, 'freezeRoster');
    await call('post', 'cs', `/survey/rounds/${round}/sample`);
    const tokens = (await call('post', 'cs', `/survey/rounds/${round}/tokens`)).body.tokens as { token: string }[];
    await h.http
      .post(`/survey/answer/${tokens[0].token}`)
      .send({ ratings: { order: 'satisfied' } })
      .expect(201);
    const closed = await send('cs', round, 'closeCollection');
    expect(closed.state).toBe('belowThreshold');
    return round;
  }

  it('reminds the manager, then escalates to the regional CR platform, until the manager decides', async () => {
    const round = await belowThreshold('2026-03');
    // 2 and 5 working days after Monday 2026-03-02: Wednesday 03-04 and Monday 03-09, 18:00 in Shanghai.
    expect(await pendingTimers(round)).toEqual(['decisionEscalation@2026-03-09T10:00:00.000Z', 'decisionReminder@2026-03-04T10:00:00.000Z']);
    expect(await inbox('region', round)).toEqual([]);

    clock.set('2026-03-04T10:00:01.000Z');
    await work();
    const reminded = await get('au', round);
    expect(reminded.state).toBe('belowThreshold');
    expect(reminded.context.decisionReminders).toEqual([expect.objectContaining({ at: '2026-03-04T10:00:01.000Z' })]);
    expect(await inbox('mg', round)).toContainEqual(`回收率未超过有效标准（SR-${PROJECT}-2026-03-稳定期），请尽快决定延长回收或作为无效调查结束`);
    expect(await inbox('region', round)).toEqual([]);

    clock.set('2026-03-09T10:00:01.000Z');
    await work();
    const escalated = await get('au', round);
    expect(escalated.state).toBe('belowThreshold');
    expect(escalated.context.decisionEscalatedAt).toBe('2026-03-09T10:00:01.000Z');
    const toRegion = await inbox('region', round);
    expect(toRegion).toEqual([expect.stringContaining('逾期未决定')]);
    expect(toRegion[0]).toContain(`SR-${PROJECT}-2026-03-稳定期`);
    const trail = (await call('get', 'au', `/instances/${round}/audit`)).body.items.map(
      (e: { eventType: string; actor: string }) => `${e.eventType}:${e.actor}`,
    );
    expect(trail.slice(-2)).toEqual(['decisionReminder:system', 'decisionEscalation:system']);

    // The manager still decides; nothing is left pending.
    expect((await send('mg', round, 'closeAsInvalid', { reason: '回收率未达标，业主外出较多' })).state).toBe('invalid');
    expect(await pendingTimers(round)).toEqual([]);
  });

  it('an extension cancels the reminder and the escalation; a new shortfall arms them again', async () => {
    clock.set('2026-03-16T01:00:00.000Z');
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: 'correct horse battery' });
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
    const round = await belowThreshold('2026-04');
    await send('mg', round, 'extendCollection', { until: '2026-03-20T10:00:00.000Z', reason: '补发问卷' });
    expect(await pendingTimers(round)).toEqual(['collectionDeadline@2026-03-20T10:00:00.000Z']);
    clock.set('2026-03-20T10:00:01.000Z');
    await work();
    expect((await get('au', round)).state).toBe('belowThreshold');
    // Friday 03-20 18:00:01 is after the end of the working day: 2 and 5 working days from Friday.
    expect(await pendingTimers(round)).toEqual(['decisionEscalation@2026-03-27T10:00:00.000Z', 'decisionReminder@2026-03-24T10:00:00.000Z']);
  });
});
