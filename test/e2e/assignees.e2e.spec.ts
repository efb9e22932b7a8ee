/**
 * People as assignees (issue 13): one person claims a case's step, a colleague holding the same
 * role is refused its events while it is held (a Chinese message naming the holder), the holder
 * transfers it to a named colleague, a supervisor (`assignment.reassignBy`) reassigns it, and
 * every change is an audit entry of the instance's chain, which still verifies. Both databases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';

const REPAIR = readFileSync(join(__dirname, '../fixtures/assignment/repair.yaml'), 'utf8');

describe.each(DRIVERS)('claim, transfer and reassign a step on %s', (driver) => {
  let h: Harness;
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver);
    const users: [string, string[], string?][] = [
      ['po', ['process_owner']],
      ['clerk', ['clerk']],
      ['wang', ['engineer'], '王师傅'],
      ['li', ['engineer'], '李师傅'],
      ['boss', ['eng_supervisor'], '赵主管'],
      ['au', ['auditor']],
      ['visitor', ['visitor']],
    ];
    for (const [username, roles, displayName] of users) {
      await h.engine.auth.addUser({ username, password: PASSWORD, roles, ...(displayName ? { displayName } : {}) });
      auth[username] = { Authorization: `Bearer ${(await h.http.post('/auth/token').send({ username, password: PASSWORD }).expect(200)).body.token}` };
    }
    await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(REPAIR).expect(201);
  }, 60_000);
  afterAll(() => h.close());

  const { call, send } = apiAs(() => h, auth);
  const start = async (businessKey: string) =>
    (await call('post', 'clerk', '/instances', { definition: 'repair', businessKey, context: { unit: '3栋502', content: '电梯异响' } })).body.id as string;

  it('a claimed step is the holder’s: a colleague is refused by name, the holder transfers it, a supervisor reassigns it, all in the chain', async () => {
    const id = await start('BX-1');
    const before = (await call('get', 'wang', `/instances/${id}/assignment`)).body;
    expect(before).toMatchObject({ assignee: null, may: { claim: true, release: false, transfer: false, reassign: false } });

    // Both engineers see the unclaimed step in their work list.
    expect((await call('get', 'li', '/tasks')).body.items.map((t: { instance: { id: string } }) => t.instance.id)).toContain(id);

    expect((await call('post', 'wang', `/instances/${id}/assignment/claim`)).body).toMatchObject({ assignee: 'wang', assigneeName: '王师傅' });
    // A second claim, by a colleague: 409 naming the holder.
    const again = await call('post', 'li', `/instances/${id}/assignment/claim`, undefined, [409]);
    expect(again.body.userMessage).toContain('王师傅');

    // The colleague may not take the step's events while it is held.
    const refused = await send('li', id, 'addNote', { note: '我来看看' }, [403]);
    expect(refused.userMessage).toBe('此步骤已由王师傅认领办理，其他人暂不能办理。如需接手，请联系王师傅转交，或请工程主管改派。');
    // The holder may.
    await send('wang', id, 'addNote', { note: '已到现场' });

    // Only the holder transfers; to someone who may act there.
    await call('post', 'li', `/instances/${id}/assignment/transfer`, { to: 'li' }, [403]);
    const notAllowed = await call('post', 'wang', `/instances/${id}/assignment/transfer`, { to: 'clerk' }, [403]);
    expect(notAllowed.body.userMessage).toContain('维修工');
    await call('post', 'wang', `/instances/${id}/assignment/transfer`, { to: 'nobody' }, [404]);
    expect((await call('post', 'wang', `/instances/${id}/assignment/transfer`, { to: 'li' })).body).toMatchObject({ assignee: 'li', assigneeName: '李师傅' });
    await send('wang', id, 'addNote', { note: '我不能再办' }, [403]);

    // An engineer cannot reassign; the supervisor can, whoever holds it.
    await call('post', 'li', `/instances/${id}/assignment/reassign`, { to: 'wang' }, [403]);
    expect((await call('get', 'boss', `/instances/${id}/assignment`)).body.may).toMatchObject({ reassign: true });
    expect((await call('post', 'boss', `/instances/${id}/assignment/reassign`, { to: 'wang' })).body).toMatchObject({ assignee: 'wang' });

    // Tasks say who holds each step.
    const task = (await call('get', 'li', '/tasks')).body.items.find((t: { instance: { id: string } }) => t.instance.id === id);
    expect(task?.assignee).toMatchObject({ username: 'wang', name: '王师傅' });

    // Release, then the step is free again; finishing it ends the assignment.
    await call('post', 'li', `/instances/${id}/assignment/release`, undefined, [403]);
    await call('post', 'wang', `/instances/${id}/assignment/release`);
    expect((await call('get', 'li', `/instances/${id}/assignment`)).body).toMatchObject({ assignee: null, may: { claim: true } });
    await call('post', 'li', `/instances/${id}/assignment/claim`);
    await send('li', id, 'finish');
    expect((await call('get', 'li', `/instances/${id}/assignment`)).body).toMatchObject({ assignee: null, may: { claim: false } });

    const trail = (await call('get', 'au', `/instances/${id}/audit`)).body.items as { eventType: string; actor: string; payload: unknown }[];
    expect(trail.map((e) => [e.eventType, e.actor, e.payload])).toEqual([
      ['$start', 'clerk', expect.anything()],
      ['$claim', 'wang', { assignee: 'wang', previous: null }],
      ['addNote', 'wang', { note: '已到现场' }],
      ['$transfer', 'wang', { assignee: 'li', previous: 'wang' }],
      ['$reassign', 'boss', { assignee: 'wang', previous: 'li' }],
      ['$release', 'wang', { assignee: null, previous: 'wang' }],
      ['$claim', 'li', { assignee: 'li', previous: null }],
      ['finish', 'li', {}],
    ]);
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
    expect((await call('get', 'au', `/audit/verify?instanceId=${id}`)).body).toMatchObject({ ok: true });
  });

  it('people without a role in the process may not read or change who holds a step', async () => {
    const id = await start('BX-2');
    await call('get', 'visitor', `/instances/${id}/assignment`, undefined, [403, 404]);
    await call('post', 'visitor', `/instances/${id}/assignment/claim`, undefined, [403, 404]);
    await call('post', 'clerk', `/instances/${id}/assignment/claim`, undefined, [403]);
    await call('post', 'boss', `/instances/${id}/assignment/reassign`, { to: 'clerk' }, [403]);
  });
});

describe.each(DRIVERS)('抄送 (cc:) with read receipts on %s', (driver) => {
  let h: Harness;
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver);
    for (const [username, roles] of [
      ['po', ['process_owner']],
      ['clerk', ['clerk']],
      ['clerk2', ['clerk']],
      ['wang', ['engineer']],
      ['boss', ['eng_supervisor']],
      ['au', ['auditor']],
    ] as [string, string[]][]) {
      auth[username] = { Authorization: `Bearer ${await h.user(username, roles)}` };
    }
    await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(REPAIR).expect(201);
  }, 60_000);
  afterAll(() => h.close());

  const { call, send } = apiAs(() => h, auth);

  it('a step copies the case to its starter and to a role; each sees it unread until they open it (the read receipt)', async () => {
    const id = (await call('post', 'clerk', '/instances', { definition: 'repair', businessKey: 'BX-CC', context: { unit: '1栋101', content: '漏水' } })).body
      .id;
    expect((await call('get', 'clerk', '/copies')).body).toEqual({ items: [], unread: 0 });
    await send('wang', id, 'addNote', { note: '已更换阀门' });

    for (const who of ['clerk', 'boss']) {
      const copies = (await call('get', who, '/copies')).body;
      expect(copies.unread).toBe(1);
      expect(copies.items).toEqual([expect.objectContaining({ seq: 2, from: 'wang', message: '已更换阀门', readAt: null })]);
      expect(copies.items[0].instance.id).toBe(id);
    }
    // Not copied: neither the other clerk nor the engineer who took the step.
    expect((await call('get', 'clerk2', '/copies')).body.items).toEqual([]);
    expect((await call('get', 'wang', '/copies')).body.items).toEqual([]);

    expect((await call('post', 'clerk', `/instances/${id}/copies/read`)).body).toEqual({ marked: 1 });
    const read = (await call('get', 'clerk', '/copies')).body;
    expect(read.unread).toBe(0);
    expect(read.items[0].readAt).toEqual(expect.any(String));
    expect((await call('post', 'clerk', `/instances/${id}/copies/read`)).body).toEqual({ marked: 0 });
    expect((await call('get', 'boss', '/copies')).body.unread).toBe(1);

    // The copy is in the step's audit entry; the chain verifies.
    const trail = (await call('get', 'au', `/instances/${id}/audit`)).body.items as { eventType: string; effects: { effects: { kind: string }[] } }[];
    expect(trail[1].effects.effects.map((e) => e.kind)).toEqual(['cc']);
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
  });

  it('assignment.reassignBy naming an undeclared role is refused at load', async () => {
    const bad = REPAIR.replace('reassignBy: [eng_supervisor]', 'reassignBy: [eng_super]').replace('key: repair', 'key: repair-bad2');
    const refused = await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(bad);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("the role 'eng_super' is not declared under 'roles'");
  });

  it('a cc naming an undeclared role is refused at load', async () => {
    const bad = REPAIR.replace('roles: [eng_supervisor], message', 'roles: [eng_supervisr], message').replace('key: repair', 'key: repair-bad');
    const refused = await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(bad);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("the cc action names the role 'eng_supervisr'");
  });
});

describe.each(DRIVERS)('a claim does not hold back the engine on %s', (driver) => {
  const clock = new ManualClock(new Date('2026-04-01T01:00:00.000Z'));
  let h: Harness;
  const auth: Record<string, { Authorization: string }> = {};
  // The repair step escalates by itself after 2 hours (a deadline, sent as the engine's `system`).
  const TIMED = REPAIR.replace('key: repair', 'key: repair-timed').replace(
    '    title: 维修中\n    on:\n',
    '    title: 维修中\n    deadlines:\n      - after: 2 hours\n        send: overdue\n    on:\n      overdue: { title: 超时, roles: [system], target: done }\n',
  );

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    for (const [username, roles] of [
      ['po', ['process_owner']],
      ['clerk', ['clerk']],
      ['wang', ['engineer']],
      ['au', ['auditor']],
    ] as [string, string[]][]) {
      auth[username] = { Authorization: `Bearer ${await h.user(username, roles)}` };
    }
    await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(TIMED).expect(201);
  }, 60_000);
  afterAll(() => h.close());

  const { call } = apiAs(() => h, auth);

  it('a deadline falls due on a claimed step; leaving the state ends the assignment', async () => {
    expect(TIMED).toContain('send: overdue');
    const id = (await call('post', 'clerk', '/instances', { definition: 'repair-timed', businessKey: 'BX-T', context: { unit: '2栋', content: '停电' } })).body
      .id;
    await call('post', 'wang', `/instances/${id}/assignment/claim`);
    clock.advance(3 * 3600_000);
    await h.engine.runDueWork();
    expect((await call('get', 'wang', `/instances/${id}`)).body).toMatchObject({ state: 'done', status: 'completed' });
    expect((await call('get', 'wang', `/instances/${id}/assignment`)).body).toMatchObject({ assignee: null });
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
  });
});
