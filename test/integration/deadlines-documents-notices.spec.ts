/**
 * Deadlines, documents, notices and events between instances, on a real SQLite file and the
 * real PostgreSQL, with a real SMTP server on loopback. Time is moved with a ManualClock.
 */
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ManualClock } from '../../src/common/clock';
import type { Actor } from '../../src/compiler/process-machine.contract';
import { openEngine, type Engine } from '../../src/engine/engine';
import { DRIVERS, freshDatabase, REPO_ROOT, type TestDatabase } from '../support/databases';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/engine');
const clerk: Actor = { id: 'clerk1', roles: ['clerk'] };
const head: Actor = { id: 'head1', roles: ['head'] };

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1; `rejecting` makes it refuse every recipient (550). */
async function startSmtp() {
  const received: Received[] = [];
  const state = { rejecting: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.rejecting) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: (session.envelope.mailFrom as { address: string }).address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { received, state, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(DRIVERS)('deadlines, documents and notices on %s', (driver) => {
  let database: TestDatabase;
  let engine: Engine;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  // Friday 2026-02-13 10:00 in Asia/Shanghai.
  const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));

  async function open(): Promise<Engine> {
    return openEngine(database.config, { clock });
  }

  beforeEach(async () => {
    clock.set('2026-02-13T02:00:00.000Z');
    smtp = await startSmtp();
    database = await freshDatabase(driver, {
      WF_DEFINITIONS_DIR: join(FIXTURES, 'definitions'),
      WF_TEMPLATES_DIR: join(FIXTURES, 'templates'),
      WF_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      WF_MAIL_FROM: 'cs-center@example.com',
    });
    engine = await open();
    await engine.definitions.registerDirectory(database.config.definitionsDir, 'system');
  });
  afterEach(async () => {
    await engine.close();
    await database.dispose();
    await smtp.close();
  });

  const newTicket = async (businessKey: string, extra: Record<string, unknown> = {}) =>
    (
      await engine.transitions.create(
        { definition: 'ticket', businessKey, context: { title: '电梯异响', requester: '张三丰', email: 'zhang@example.com', ...extra } },
        clerk,
      )
    ).instance;

  it('arms deadlines on the Chinese working-day calendar: Friday 2026-02-13 + 3 working days is due at the end of Wednesday 2026-02-25', async () => {
    const ticket = await newTicket('T-1');
    const timers = await engine.records.timers(ticket.id);
    expect(timers.map((t) => [t.eventType, t.dueAt, t.status])).toEqual(
      expect.arrayContaining([
        ['overdue', '2026-02-25T10:00:00.000Z', 'pending'],
        ['remindToday', '2026-02-13T10:00:00.000Z', 'pending'],
      ]),
    );
    const [start] = await engine.instances.audit(ticket.id, clerk);
    expect((start.effects as { timers: { event: string; dueAt: string }[] }).timers).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: 'overdue', dueAt: '2026-02-25T10:00:00.000Z' })]),
    );
  });

  it('a timer pending when the service stops fires exactly once after a restart past its due time, as the actor system', async () => {
    const ticket = await newTicket('T-2');
    await engine.close();
    clock.set('2026-02-25T10:00:01.000Z');
    engine = await open();
    const first = await engine.runDueWork();
    expect(first.timers).toBe(2);
    const again = await engine.runDueWork();
    expect(again.timers).toBe(0);
    const trail = await engine.instances.audit(ticket.id, clerk);
    const fired = trail.filter((e) => e.actor === 'system');
    expect(fired.map((e) => e.eventType).sort()).toEqual(['overdue', 'remindToday']);
    for (const e of fired) {
      expect(e.actorRoles).toEqual(['system']);
      expect(e.cause).toMatchObject({ kind: 'timer', timerId: expect.any(String) });
    }
    await expect(engine.instances.get(ticket.id, clerk)).resolves.toMatchObject({ state: 'open', context: { escalated: true } });
    const timers = await engine.records.timers(ticket.id);
    expect(timers.every((t) => t.status === 'fired')).toBe(true);
    const inbox = await engine.records.inbox(['head']);
    expect(inbox).toEqual([expect.objectContaining({ instanceId: ticket.id, message: '工单超过回复时限' })]);
  });

  it('leaving a state cancels its deadlines; a deadline taken from the context fires at that time', async () => {
    const ticket = await newTicket('T-3');
    await engine.transitions.send(ticket.id, { type: 'followUp', payload: { at: '2026-03-02T01:00:00.000Z' } }, clerk);
    const timers = await engine.records.timers(ticket.id);
    expect(timers.filter((t) => t.state === 'open').map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(timers.find((t) => t.state === 'waitingFollowUp')).toMatchObject({ eventType: 'followUpDue', dueAt: '2026-03-02T01:00:00.000Z', status: 'pending' });
    clock.set('2026-03-02T00:59:59.000Z');
    expect((await engine.runDueWork()).timers).toBe(0);
    clock.set('2026-03-02T01:00:00.000Z');
    expect((await engine.runDueWork()).timers).toBe(1);
    await expect(engine.instances.get(ticket.id, clerk)).resolves.toMatchObject({ state: 'open' });
    // Back in `open`: its deadlines are armed afresh from now.
    const rearmed = (await engine.records.timers(ticket.id)).filter((t) => t.state === 'open' && t.status === 'pending');
    expect(rearmed.map((t) => t.eventType).sort()).toEqual(['overdue', 'remindToday']);
  });

  it('renders documents in the transition and delivers the email to a real SMTP server; both trace back to the audit entry', async () => {
    const ticket = await newTicket('T-4', { requester: '<script>alert(1)</script>王' });
    const replied = await engine.transitions.send(ticket.id, { type: 'reply', payload: { answer: '已更换导靴' } }, head);
    expect(replied.state).toBe('answered');
    const entry = (await engine.instances.audit(ticket.id, head)).at(-1)!;
    const effects = (entry.effects as { effects: { kind: string; documentId?: string; outboxId?: string; templateHash?: string }[] }).effects;
    const slip = effects.find((e) => e.kind === 'render')!;
    const mail = effects.find((e) => e.kind === 'email')!;
    const docs = await engine.records.documents(ticket.id);
    expect(docs.map((d) => [d.id, d.template, d.auditSeq, d.templateHash])).toEqual(
      expect.arrayContaining([
        [slip.documentId, 'ticket-slip', entry.seq, slip.templateHash],
        [mail.documentId, 'ticket-mail', entry.seq, mail.templateHash],
      ]),
    );
    const html = (await engine.records.document(slip.documentId!)).html;
    expect(html).toContain('已更换导靴');
    expect(html).toContain('2026年2月13日');
    expect(html).not.toContain('<script>');
    const [queued] = await engine.records.outbox({ instanceId: ticket.id });
    expect(queued).toMatchObject({ id: mail.outboxId, kind: 'email', status: 'pending', documentId: mail.documentId });

    expect((await engine.runDueWork()).outbox).toBe(1);
    expect(smtp.received).toHaveLength(1);
    const [received] = smtp.received;
    expect(received.from).toBe('cs-center@example.com');
    expect(received.to.sort()).toEqual(['boss@example.com', 'zhang@example.com']);
    expect(received.raw).toMatch(/^Cc: .*boss@example\.com/m);
    expect(received.raw).toContain(`Message-ID: <${mail.outboxId}@workflow-engine>`);
    expect(received.raw).toMatch(/^Subject: =\?UTF-8\?/m);
    const [delivered] = await engine.records.outbox({ instanceId: ticket.id });
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: '2026-02-13T02:00:00.000Z' });
  });

  it('a failed delivery is retried with backoff and its status and error stay visible', async () => {
    const ticket = await newTicket('T-5');
    await engine.transitions.send(ticket.id, { type: 'reply', payload: { answer: '已处理' } }, head);
    smtp.state.rejecting = true;
    expect((await engine.runDueWork()).outbox).toBe(0);
    let [message] = await engine.records.outbox({ instanceId: ticket.id });
    expect(message).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-02-13T02:00:30.000Z' });
    expect(String(message.lastError)).toMatch(/550|mailbox unavailable|rejected/i);
    clock.advance(10_000);
    expect((await engine.runDueWork()).outbox).toBe(0);
    expect((await engine.records.outbox({ instanceId: ticket.id }))[0]).toMatchObject({ attempts: 1 });
    clock.advance(20_000);
    await engine.runDueWork();
    [message] = await engine.records.outbox({ instanceId: ticket.id });
    expect(message).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: '2026-02-13T02:01:30.000Z' });
    smtp.state.rejecting = false;
    clock.advance(60_000);
    expect((await engine.runDueWork()).outbox).toBe(1);
    [message] = await engine.records.outbox({ instanceId: ticket.id });
    expect(message).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(smtp.received).toHaveLength(1);
  });

  it('posts a notice to the board, and starts a child that reports back to its parent, each side audited with the cause linked', async () => {
    const ticket = await newTicket('T-6');
    const spawned = await engine.transitions.send(ticket.id, { type: 'spawn', payload: { task: 'TASK-6' } }, clerk);
    const spawnSeq = spawned.version;
    await engine.runDueWork();
    const children = await engine.instances.list({ definition: 'ticket-task', businessKey: 'TASK-6' }, { id: 'a', roles: ['admin'] });
    expect(children.items).toHaveLength(1);
    const child = children.items[0];
    expect(child).toMatchObject({ parentId: ticket.id, state: 'todo', context: { name: 'TASK-6' } });
    const [childStart] = await engine.instances.audit(child.id, head);
    expect(childStart).toMatchObject({
      actor: 'process:ticket',
      actorRoles: ['process'],
      cause: { kind: 'outbox', instanceId: ticket.id, seq: spawnSeq, definition: 'ticket' },
    });
    // Redelivering the same outbox message does not start a second child.
    await engine.db.transaction((tx) =>
      tx.run(`UPDATE outbox SET status = 'pending', next_attempt_at = $1 WHERE instance_id = $2`, ['2000-01-01T00:00:00.000Z', ticket.id]),
    );
    await engine.runDueWork();
    expect((await engine.instances.list({ definition: 'ticket-task' }, { id: 'a', roles: ['admin'] })).total).toBe(1);

    const finished = await engine.transitions.send(child.id, { type: 'finish' }, head);
    await engine.runDueWork();
    const parentTrail = await engine.instances.audit(ticket.id, clerk);
    const taskDone = parentTrail.filter((e) => e.eventType === 'taskDone');
    expect(taskDone).toHaveLength(1);
    expect(taskDone[0]).toMatchObject({
      actor: 'process:ticket-task',
      cause: { kind: 'outbox', instanceId: child.id, seq: finished.version, definition: 'ticket-task' },
    });
    await expect(engine.instances.get(ticket.id, clerk)).resolves.toMatchObject({ context: { tasksDone: 1 } });

    await engine.transitions.send(ticket.id, { type: 'reply', payload: { answer: '好' } }, head);
    await engine.transitions.send(ticket.id, { type: 'publish' }, clerk);
    await engine.runDueWork();
    const notices = await engine.records.notices();
    expect(notices).toEqual([expect.objectContaining({ instanceId: ticket.id, title: '工单公告' })]);
    const notice = await engine.records.document((notices[0] as { documentId: string }).documentId);
    expect(notice.html).toContain('T-6');
    await expect(engine.instances.get(ticket.id, clerk)).resolves.toMatchObject({ status: 'completed' });
    expect((await engine.records.timers(ticket.id)).filter((t) => t.status === 'pending')).toEqual([]);
    await expect(engine.auditVerifier.verify()).resolves.toMatchObject({ ok: true });
  });
});

describe.each(DRIVERS)('recurring schedules on %s', (driver) => {
  // SQLite is one process by design (one connection, writes queued); PostgreSQL takes any number.
  it(`starts the monthly instance once at 09:00 on day 1 even with ${driver === 'postgres' ? 'two engines' : 'two ticks'} competing, then its 5-day deadline fires`, async () => {
    const database = await freshDatabase(driver, {
      WF_DEFINITIONS_DIR: join(FIXTURES, 'definitions'),
      WF_TEMPLATES_DIR: join(FIXTURES, 'templates'),
    });
    const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));
    const a = await openEngine(database.config, { clock });
    const b = driver === 'postgres' ? await openEngine(database.config, { clock }) : a;
    try {
      await a.definitions.registerDirectory(database.config.definitionsDir, 'system');
      await a.worker.schedules.sync();
      await b.worker.schedules.sync();
      expect((await a.runDueWork()).schedules).toBe(0);
      clock.set('2026-03-01T00:59:59.000Z');
      expect((await a.runDueWork()).schedules).toBe(0);
      clock.set('2026-03-01T01:00:00.000Z');
      const [ra, rb] = await Promise.all([a.worker.schedules.tick(), b.worker.schedules.tick()]);
      expect(ra + rb).toBe(1);
      const admin = { id: 'x', roles: ['admin'] };
      const started = await a.instances.list({ definition: 'digest' }, admin);
      expect(started.items.map((i) => [i.businessKey, i.context.month, i.state])).toEqual([['digest-2026-02', '2026-02', 'collecting']]);
      const [first] = await a.instances.audit(started.items[0].id, admin);
      expect(first).toMatchObject({ actor: 'system', cause: { kind: 'schedule', schedule: 'monthly', runAt: '2026-03-01T01:00:00.000Z' } });
      expect((await a.worker.schedules.tick()) + (await b.worker.schedules.tick())).toBe(0);

      clock.set('2026-03-06T01:00:00.000Z');
      expect((await a.runDueWork()).timers).toBe(1);
      await expect(a.instances.get(started.items[0].id, admin)).resolves.toMatchObject({ context: { late: true } });
      clock.set('2026-04-01T01:00:00.000Z');
      await b.runDueWork();
      const april = await a.instances.list({ definition: 'digest', businessKey: 'digest-2026-03' }, admin);
      expect(april.total).toBe(1);
    } finally {
      await a.close();
      if (b !== a) await b.close();
      await database.dispose();
    }
  });
});
