/**
 * The outbox dispatcher against a real SQLite file with a manual clock and a recording
 * mailer: delivery, backoff, and "retry or give up" from the error table.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import { MailDeliveryError } from '../notices/mailer';
import { FIXTURE_NOW, serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';
import { backoffSeconds } from './outbox-dispatcher';

const clerk: Actor = { id: 'clerk-1', roles: ['clerk'] };
const head: Actor = { id: 'head-1', roles: ['head'] };

describe('OutboxDispatcher', () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture({ outbox: { maxAttempts: 3, baseDelaySeconds: 10 } });
  });
  afterEach(() => f.dispose());

  const ticket = async (businessKey = 'T-1', email = 'zhang@example.com') =>
    (await f.transitions.create({ definition: 'ticket', businessKey, context: { title: '电梯异响', requester: '张三', email } }, clerk)).instance;
  const reply = (id: string) => f.transitions.send(id, { type: 'reply', payload: { answer: '已处理' } }, head);
  const message = async (instanceId: string, kind: string) => (await f.records.outbox({ instanceId })).find((m) => m.kind === kind)!;

  it('delivers an email once, with the outbox id as Message-ID and the rendered document as body', async () => {
    const t = await ticket();
    await reply(t.id);
    expect(await f.outbox.tick()).toBe(1);
    const mail = await message(t.id, 'email');
    expect(mail).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: FIXTURE_NOW, lastError: null });
    expect(f.mailer.sent).toHaveLength(1);
    expect(f.mailer.sent[0]).toMatchObject({
      to: ['zhang@example.com'],
      cc: ['主管 <boss@example.com>'],
      subject: '工单已回复',
      messageId: `<${mail.id}@workflow-engine>`,
    });
    expect(f.mailer.sent[0].html).toContain('已处理');
    expect(await f.outbox.tick()).toBe(0);
  });

  it('retries a failure that may pass with exponential backoff, then gives up after the last attempt', async () => {
    const t = await ticket();
    await reply(t.id);
    f.mailer.failWith = () =>
      new MailDeliveryError('could not connect to smtp.example.com (ECONNREFUSED)', {
        transport: 'smtp',
        messageId: 'm',
        recipients: ['zhang@example.com'],
        permanent: false,
        code: 'ECONNECTION',
      });
    expect(await f.outbox.tick()).toBe(0);
    expect(await message(t.id, 'email')).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: '2026-02-13T02:00:10.000Z',
      lastError: 'MAIL_DELIVERY_FAILED: could not connect to smtp.example.com (ECONNREFUSED)',
    });
    f.clock.advance(9_000);
    expect(await f.outbox.tick()).toBe(0);
    expect(await message(t.id, 'email')).toMatchObject({ attempts: 1 });
    f.clock.advance(1_000);
    await f.outbox.tick();
    expect(await message(t.id, 'email')).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: '2026-02-13T02:00:30.000Z' });
    f.clock.advance(20_000);
    await f.outbox.tick();
    expect(await message(t.id, 'email')).toMatchObject({ status: 'failed', attempts: 3 });
    expect(f.logging.messages('warn', 'outbox').at(-1)).toMatch(/attempt 3 failed, giving up/);
  });

  it('retries a version conflict at the receiving instance', async () => {
    const t = await ticket();
    await f.transitions.send(t.id, { type: 'spawn', payload: { task: 'TASK-1' } }, clerk);
    await f.outbox.tick();
    const child = (await f.instances.byBusinessKey('ticket-task', 'TASK-1'))!;
    await f.transitions.send(child.id, { type: 'finish' }, head);
    const send = jest.spyOn(f.transitions, 'send').mockRejectedValueOnce(new AppError(ErrorCode.VersionConflict, 'the parent moved on; retry'));
    expect(await f.outbox.tick()).toBe(0);
    expect(await message(child.id, 'emit')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'VERSION_CONFLICT: the parent moved on; retry' });
    send.mockRestore();
    f.clock.advance(10_000);
    expect(await f.outbox.tick()).toBe(1);
    await expect(f.instances.byId(t.id)).resolves.toMatchObject({ context: { tasksDone: 1 } });
  });

  it('gives up at once when the receiver refuses for good: the parent was completed meanwhile', async () => {
    const t = await ticket();
    await f.transitions.send(t.id, { type: 'spawn', payload: { task: 'TASK-1' } }, clerk);
    await f.outbox.tick();
    await reply(t.id);
    await f.transitions.send(t.id, { type: 'publish' }, clerk);
    const child = (await f.instances.byBusinessKey('ticket-task', 'TASK-1'))!;
    await f.transitions.send(child.id, { type: 'finish' }, head);
    await f.outbox.tick();
    const emit = await message(child.id, 'emit');
    expect(emit).toMatchObject({ status: 'failed', attempts: 1 });
    expect(emit.lastError).toMatch(/^INSTANCE_COMPLETED: /);
  });

  it('gives up at once on a message that cannot be delivered as written: an email without recipient', async () => {
    const t = await ticket('T-2', '');
    await reply(t.id);
    await f.outbox.tick();
    expect(await message(t.id, 'email')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'UNDELIVERABLE: the email has no recipient (the "to" expression gave nothing)',
    });
    expect(f.mailer.sent).toEqual([]);
  });

  it('delivers inbox items and notices idempotently: a redelivery changes nothing', async () => {
    const t = await ticket();
    f.clock.set('2026-02-13T10:00:00.000Z');
    expect(await f.timers.tick()).toBe(1); // remindToday → a notice to the clerks' inbox
    await reply(t.id);
    await f.transitions.send(t.id, { type: 'publish' }, clerk);
    expect(await f.outbox.tick()).toBe(3);
    await f.db.transaction((tx) => tx.run(`UPDATE outbox SET status = 'pending', next_attempt_at = $1 WHERE kind <> 'email'`, ['2000-01-01T00:00:00.000Z']));
    expect(await f.outbox.tick()).toBe(2);
    const redelivered = (await f.records.outbox({ instanceId: t.id })).filter((m) => m.kind !== 'email');
    expect(redelivered.map((m) => [m.kind, m.status, m.result])).toEqual(
      expect.arrayContaining([
        ['notify', 'delivered', { inserted: false }],
        ['post', 'delivered', { inserted: false }],
      ]),
    );
    expect(await f.count('inbox_items')).toBe(1);
    expect(await f.count('notices')).toBe(1);
  });

  it('delivers a broadcast to the cases whose version accepts it from the sender, and fails it naming those that refuse (not retried)', async () => {
    const board = (from: string) =>
      [
        'key: board',
        'title: 公告栏',
        'roles: { clerk: {} }',
        'start: { roles: [clerk] }',
        'context: { type: object, properties: { area: { type: string }, pinged: { type: boolean } } }',
        'correlation: [area]',
        'initial: open',
        'states:',
        '  open:',
        '    on:',
        `      ping: { ${from}assign: { pinged: true } }`,
      ].join('\n');
    const caller = [
      'key: caller',
      'title: 呼叫',
      'roles: { clerk: {} }',
      'start: { roles: [clerk] }',
      'initial: open',
      'states:',
      '  open:',
      '    on:',
      '      call:',
      '        roles: [clerk]',
      '        actions: [{ emit: { event: ping, definition: board, where: { area: A } } }]',
    ].join('\n');
    await f.definitions.register(board('from: [caller], '), 'board.yaml', 'owner');
    const old = (await f.transitions.create({ definition: 'board', businessKey: 'B-1', context: { area: 'A' } }, clerk)).instance;
    // Its key starts like the others' and its area like theirs: not reached, since only data matched exactly counts.
    const elsewhere = (await f.transitions.create({ definition: 'board', businessKey: 'B-10', context: { area: 'A-2' } }, clerk)).instance;
    await f.definitions.register(caller, 'caller.yaml', 'owner');
    // The board's owner withdraws the permission: stored, with a warning at the caller's emit.
    const v2 = await f.definitions.register(board('roles: [clerk], '), 'board.yaml', 'owner');
    expect(v2.findings.filter((x) => x.rule === 'acceptance-removed')).toEqual([
      expect.objectContaining({ rule: 'acceptance-removed', file: 'caller.yaml', line: 11 }),
    ]);
    const current = (await f.transitions.create({ definition: 'board', businessKey: 'B-2', context: { area: 'A' } }, clerk)).instance;
    const c = (await f.transitions.create({ definition: 'caller', businessKey: 'C-1' }, clerk)).instance;
    await f.transitions.send(c.id, { type: 'call' }, clerk);
    expect(await f.outbox.tick()).toBe(0);
    const emitted = await message(c.id, 'emit');
    expect(emitted).toMatchObject({
      status: 'failed',
      attempts: 1,
      result: { delivered: [{ instanceId: old.id }], refused: [{ instanceId: current.id }] },
    });
    expect(JSON.stringify(emitted.result)).not.toContain(elsewhere.id);
    expect(emitted.lastError).toContain(
      `UNDELIVERABLE: 'ping' from 'caller' (instance ${c.id}) was refused by instance ${current.id}: 'board' does not accept 'ping' from 'caller'`,
    );
    const trail = await f.instances.audit(old.id, { id: 'au', roles: ['auditor'] });
    expect(trail.at(-1)).toMatchObject({
      eventType: 'ping',
      actor: 'process:caller',
      actorRoles: ['process'],
      cause: { definition: 'caller', instanceId: c.id },
    });
  });

  it('doubles the delay with each attempt, at most an hour', () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, 30))).toEqual([30, 60, 120, 240]);
    expect(backoffSeconds(20, 30)).toBe(3600);
  });
});
