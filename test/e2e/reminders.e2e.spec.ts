/**
 * 催办 (issue 13): the person who started a case reminds whoever holds its current step: the
 * roles that may act there while it is unclaimed, the assignee once it is claimed. The reminder
 * lands in their inbox (Chinese, naming the case and who reminds), is a `$remind` entry of the
 * instance's chain that leaves the state as it is (the chain still verifies), and at most one per
 * case per person within `assignment.remindEveryHours` (2 here) is sent: a second is refused
 * saying when the next is possible. Nobody but the starter may remind. Both databases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';

const REPAIR = readFileSync(join(__dirname, '../fixtures/reminder/repair.yaml'), 'utf8');

describe.each(DRIVERS)('reminders (催办) on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T02:00:00Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    const users: [string, string[], string?][] = [
      ['po', ['process_owner']],
      ['clerk', ['clerk'], '陈客服'],
      ['clerk2', ['clerk'], '周客服'],
      ['wang', ['engineer'], '王师傅'],
      ['li', ['engineer'], '李师傅'],
      ['au', ['auditor']],
    ];
    for (const [username, roles, displayName] of users) {
      await h.engine.auth.addUser({ username, password: PASSWORD, roles, ...(displayName ? { displayName } : {}) });
      auth[username] = { Authorization: `Bearer ${(await h.http.post('/auth/token').send({ username, password: PASSWORD }).expect(200)).body.token}` };
    }
    await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(REPAIR).expect(201);
  }, 60_000);
  afterAll(() => h.close());

  const { call, get } = apiAs(() => h, auth);
  const inbox = async (user: string) => (await call('get', user, '/inbox')).body.items as { instanceId: string; message: string }[];

  it('reaches the roles of an unclaimed step, then the holder; audited without changing the state; once per period; only by the starter', async () => {
    const id = (await call('post', 'clerk', '/instances', { definition: 'repair', businessKey: 'BX-7', context: { unit: '3栋502', content: '电梯异响' } })).body
      .id as string;
    const before = await get('clerk', id);

    // Unclaimed: every engineer is reminded, in Chinese, naming the case and who reminds.
    const sent = (await call('post', 'clerk', `/instances/${id}/reminders`, undefined, [201])).body;
    expect(sent.to).toEqual({ roles: ['engineer'] });
    for (const engineer of ['wang', 'li']) {
      const mine = (await inbox(engineer)).filter((i) => i.instanceId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0].message).toBe('【催办】陈客服催办“报修单 BX-7”（维修中），请维修工尽快办理。');
    }
    expect((await inbox('clerk2')).filter((i) => i.instanceId === id)).toHaveLength(0);

    // In the chain, state unchanged; the chain verifies.
    const trail = (await call('get', 'au', `/instances/${id}/audit`)).body.items as { eventType: string; fromState: string; toState: string; actor: string }[];
    const remind = trail.filter((e) => e.eventType === '$remind');
    expect(remind).toHaveLength(1);
    expect(remind[0]).toMatchObject({ actor: 'clerk', fromState: 'repairing', toState: 'repairing' });
    const after = await get('clerk', id);
    expect(after.state).toBe(before.state);
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
    // A reminder is not a step taken: the case is not in the starter's 已办.
    const clerkActor = await h.engine.auth.actorFor('clerk');
    expect((await h.engine.instances.list({ actedBy: 'clerk' }, clerkActor!)).items.map((i: { id: string }) => i.id)).not.toContain(id);

    // A second within the period: refused in plain Chinese, saying when the next is possible.
    clock.advance(60 * 60_000);
    const again = (await call('post', 'clerk', `/instances/${id}/reminders`, undefined, [429])).body;
    expect(again.userMessage).toBe('您已于2026年3月2日 10:00催办过，2小时内只能催办一次，请于2026年3月2日 12:00之后再催办。');
    expect((await inbox('wang')).filter((i) => i.instanceId === id)).toHaveLength(1);

    // Others than the starter are refused: a colleague of the starter, an engineer, the auditor.
    for (const other of ['clerk2', 'wang']) {
      const refused = (await call('post', other, `/instances/${id}/reminders`, undefined, [403])).body;
      expect(refused.userMessage).toBe('只有本案件的发起人可以催办。');
    }
    await call('post', 'au', `/instances/${id}/reminders`, undefined, [403]);

    // Claimed, after the period: only the holder is reminded.
    await call('post', 'wang', `/instances/${id}/assignment/claim`);
    clock.advance(61 * 60_000);
    const toHolder = (await call('post', 'clerk', `/instances/${id}/reminders`, undefined, [201])).body;
    expect(toHolder.to).toEqual({ assignee: 'wang' });
    expect(toHolder.message).toBe('【催办】陈客服催办“报修单 BX-7”（维修中），请王师傅尽快办理。');
    expect((await inbox('wang')).filter((i) => i.instanceId === id)).toHaveLength(2);
    expect((await inbox('li')).filter((i) => i.instanceId === id)).toHaveLength(1);
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });

    // The engineer's events still apply after the reminders (the version moved on, nothing else).
    await call('post', 'wang', `/instances/${id}/events`, { type: 'finish', payload: {} }, [200]);
    const done = (await call('post', 'clerk', `/instances/${id}/reminders`, undefined, [409])).body;
    expect(done.userMessage).toBe('此案件已办结，无需催办。');
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
  });
});
