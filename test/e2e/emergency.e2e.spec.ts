/**
 * Issue 12 item 10, end to end over real HTTP on both databases: an emergency (突发事件: power
 * or water cut, people trapped in a lift, flooding, burglary) carries the 001 service standards
 * as deadlines the process owner tunes (staff on site within 3 minutes, 001 二.(二).3), and a
 * missed deadline escalates to the manager with a notice in Chinese.
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const MIN = 60_000;

describe.each(DRIVERS)('emergencies carry the 001 service standards as deadlines on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T10:00:00+08:00'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    for (const [name, roles] of [
      ['ca', ['cs_assistant']],
      ['cs', ['cs_supervisor']],
      ['rs', ['responder']],
      ['mg', ['manager']],
      ['au', ['auditor']],
    ] as [string, string[]][]) {
      auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
    }
  }, 60_000);
  afterAll(() => h.close());

  const report = async (kind: string, location: string) =>
    (
      await call('post', 'ca', '/instances', {
        definition: 'emergency',
        businessKey: `EM-${location}`,
        context: { kind, location, reportedAt: clock.now().toISOString(), reporter: '李先生', contact: '13800000001' },
      })
    ).body.id as string;
  const timers = async (id: string) =>
    (await call('get', 'au', `/instances/${id}/timers`)).body.items as { eventType: string; dueAt: string; status: string }[];
  const inbox = async (who: string, id: string) =>
    ((await call('get', who, '/inbox')).body.items as { instanceId: string; message: string }[]).filter((i) => i.instanceId === id).map((i) => i.message);

  it('people trapped in a lift: the responder is told to be on site within 3 minutes; missing it escalates to the manager', async () => {
    clock.set('2026-03-02T10:00:00+08:00');
    const id = await report('电梯困人', '3栋2号电梯');
    expect(await timers(id)).toEqual([
      expect.objectContaining({ eventType: 'onSiteOverdue', dueAt: new Date(clock.now().getTime() + 3 * MIN).toISOString(), status: 'pending' }),
    ]);
    await h.engine.runDueWork();
    expect(await inbox('rs', id)).toEqual(['突发事件（电梯困人）：3栋2号电梯，请于3分钟内到达现场']);
    expect(await inbox('mg', id)).toEqual(['接报突发事件（电梯困人）：3栋2号电梯，已通知现场处置人员']);

    clock.set(new Date(clock.now().getTime() + 2 * MIN + 59_000));
    await h.engine.runDueWork();
    expect((await call('get', 'au', `/instances/${id}`)).body.context.onSiteOverdueAt).toBeUndefined();

    clock.set(new Date(clock.now().getTime() + 2_000));
    await h.engine.runDueWork();
    const late = (await call('get', 'au', `/instances/${id}`)).body;
    expect(late.state).toBe('reported');
    expect(late.context.onSiteOverdueAt).toBe('2026-03-02T02:03:01.000Z');
    expect(await inbox('mg', id)).toContain('突发事件（电梯困人）：3栋2号电梯，处置人员未在3分钟内到达现场，请立即处理');
    const trail = (await call('get', 'au', `/instances/${id}/audit`)).body.items as { eventType: string; actor: string }[];
    expect(trail.filter((e) => e.eventType === 'onSiteOverdue').map((e) => e.actor)).toEqual(['system']);

    // Arriving late is still recorded; then the handling deadline runs (30 minutes).
    const onSite = await send('rs', id, 'arrive');
    expect(onSite.state).toBe('onSite');
    expect((await timers(id)).find((t) => t.eventType === 'unresolvedOverdue')).toMatchObject({ status: 'pending' });
  });

  it('a responder on site in time cancels the escalation; a problem unsolved within 30 minutes is reported to the manager', async () => {
    clock.set('2026-03-02T14:00:00+08:00');
    const id = await report('停电', '5栋');
    clock.set(new Date(clock.now().getTime() + 2 * MIN));
    await send('rs', id, 'arrive');
    clock.set(new Date(clock.now().getTime() + 5 * MIN));
    await h.engine.runDueWork();
    expect((await timers(id)).find((t) => t.eventType === 'onSiteOverdue')).toMatchObject({ status: 'cancelled' });
    expect((await call('get', 'au', `/instances/${id}`)).body.context.onSiteOverdueAt).toBeUndefined();

    await send('rs', id, 'explain', { explanation: '供电局线路故障，预计一小时内恢复' });
    clock.set(new Date(clock.now().getTime() + 30 * MIN));
    await h.engine.runDueWork();
    const unresolved = (await call('get', 'au', `/instances/${id}`)).body;
    expect(unresolved.context.unresolvedEscalatedAt).toBeDefined();
    expect(await inbox('mg', id)).toContain('突发事件（停电）：5栋，30分钟内仍未解决，请第一负责人亲自处理并向业主解释');

    await send('rs', id, 'resolve', { result: '已恢复供电' });
    const closed = await send('ca', id, 'replyToCustomer', { customerReply: '满意' });
    expect(closed.state).toBe('closed');
  });

  it('an unknown kind is refused; the deadlines are rules the process owner tunes', async () => {
    await call(
      'post',
      'ca',
      '/instances',
      { definition: 'emergency', businessKey: 'EM-x', context: { kind: '地震', location: '1栋', reportedAt: clock.now().toISOString() } },
      [422],
    );
    const def = (await call('get', 'au', '/definitions/emergency')).body;
    expect(JSON.stringify(def)).toContain('onSiteWithin');
  });
});
