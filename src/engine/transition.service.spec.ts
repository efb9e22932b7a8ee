/**
 * The write path against a real SQLite file with fake ports (clock, ids, mail): what create
 * and send return and write, the optimistic lock, idempotent replays, and that a failed
 * transition leaves nothing behind. No HTTP.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { DomainFunction, DomainWriter } from './domain-functions';
import { rejectedAppError } from '../../test/support/app-error';
import { FIXTURE_NOW, serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';

const clerk: Actor = { id: 'clerk-1', roles: ['clerk'] };
const head: Actor = { id: 'head-1', roles: ['head'] };
const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const TALLY = `
key: tally
title: 计数
roles:
  clerk: { title: 客服 }
start:
  roles: [clerk]
context:
  type: object
  properties:
    total: { type: integer, default: 0 }
initial: counting
states:
  counting:
    title: 计数中
    on:
      add:
        roles: [clerk]
        compute:
          total:
            function: tally.sum
            with: { base: =context.total }
        assign: { total: =payload.total }
        actions:
          - apply: { function: tally.record, with: { total: =payload.total } }
      refuse:
        roles: [clerk]
        branches:
          - reject: 今天不能再加了
`;

describe('TransitionService (the write path)', () => {
  let f: ServiceFixture;
  afterEach(() => f.dispose());

  describe('on the ticket process', () => {
    beforeEach(async () => {
      f = await serviceFixture();
    });
    const start = (businessKey = 'T-1', idempotencyKey?: string) =>
      f.transitions.create(
        { definition: 'ticket', businessKey, context: { title: '电梯异响', requester: '张三', email: 'zhang@example.com' }, idempotencyKey },
        clerk,
      );

    it('create returns the new instance and writes it with its first audit entry and its deadlines', async () => {
      const idsBefore = f.ids.issued;
      const { instance, replayed } = await start();
      expect(replayed).toBe(false);
      expect(instance).toEqual({
        id: ID(idsBefore + 1),
        definition: 'ticket',
        definitionVersion: 1,
        definitionVersionId: expect.any(String),
        businessKey: 'T-1',
        state: 'open',
        status: 'active',
        version: 1,
        context: { title: '电梯异响', requester: '张三', email: 'zhang@example.com', escalated: false, tasksDone: 0 },
        createdBy: 'clerk-1',
        createdAt: FIXTURE_NOW,
        updatedAt: FIXTURE_NOW,
        parentId: null,
      });
      await expect(f.instances.byId(instance.id)).resolves.toEqual(instance);
      const [entry] = await f.instances.audit(instance.id, clerk);
      expect(entry).toMatchObject({ seq: 1, eventType: '$start', fromState: null, toState: 'open', actor: 'clerk-1', at: FIXTURE_NOW });
      expect((await f.records.timers(instance.id)).map((t) => [t.id, t.eventType, t.dueAt, t.status])).toEqual([
        [ID(idsBefore + 3), 'remindToday', '2026-02-13T10:00:00.000Z', 'pending'],
        [ID(idsBefore + 2), 'overdue', '2026-02-25T10:00:00.000Z', 'pending'],
      ]);
    });

    it('send returns the instance after the event; its deadlines of the state left are cancelled', async () => {
      const { instance } = await start();
      f.clock.advance(60_000);
      const after = await f.transitions.send(instance.id, { type: 'reply', payload: { answer: '已更换导靴' } }, head);
      expect(after).toMatchObject({ id: instance.id, state: 'answered', version: 2, context: { answer: '已更换导靴' }, updatedAt: '2026-02-13T02:01:00.000Z' });
      await expect(f.instances.byId(instance.id)).resolves.toEqual(after);
      expect((await f.records.timers(instance.id)).map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
      expect(await f.count('documents', 'instance_id = $1', [instance.id])).toBe(2);
      expect((await f.records.outbox({ instanceId: instance.id })).map((o) => [o.kind, o.status])).toEqual([['email', 'pending']]);
    });

    it('a version conflict: another writer moved the instance between read and write; nothing of this event is written', async () => {
      const { instance } = await start();
      const realTransaction = f.db.transaction.bind(f.db);
      jest.spyOn(f.db, 'transaction').mockImplementationOnce(async (fn) => {
        await realTransaction((tx) => tx.run('UPDATE instances SET version = version + 1 WHERE id = $1', [instance.id]));
        return realTransaction(fn);
      });
      const err = await rejectedAppError(f.transitions.send(instance.id, { type: 'reply', payload: { answer: 'x' } }, head));
      expect(err).toMatchObject({ code: ErrorCode.VersionConflict, retryable: true, userMessage: '该记录刚被他人更新，请刷新后重试。' });
      expect(err.message).toContain('read it again and retry');
      expect(await f.count('audit_entries', 'instance_id = $1', [instance.id])).toBe(1);
      expect(await f.count('documents')).toBe(0);
      expect(await f.count('outbox')).toBe(0);
      await expect(f.instances.byId(instance.id)).resolves.toMatchObject({ state: 'open', version: 2 });
    });

    it('an idempotency key replays the first result, even after the instance moved on, and refuses another request', async () => {
      const first = await start('T-9', 'k-1');
      const again = await start('T-9', 'k-1');
      expect(again).toEqual({ instance: first.instance, replayed: true });
      expect(await f.count('instances')).toBe(1);

      const sent = await f.transitions.send(first.instance.id, { type: 'reply', payload: { answer: 'a' }, idempotencyKey: 'k-2' }, head);
      await f.transitions.send(first.instance.id, { type: 'publish' }, clerk);
      await expect(f.transitions.send(first.instance.id, { type: 'reply', payload: { answer: 'a' }, idempotencyKey: 'k-2' }, head)).resolves.toEqual(sent);
      expect(await f.count('audit_entries')).toBe(3);

      const reused = await rejectedAppError(start('T-10', 'k-1'));
      expect(reused.code).toBe(ErrorCode.IdempotencyKeyReused);
      // Keys belong to their user: another user's k-1 is a new request.
      await expect(
        f.transitions.create(
          { definition: 'ticket', businessKey: 'T-10', context: { title: 't', requester: 'r' }, idempotencyKey: 'k-1' },
          { id: 'clerk-2', roles: ['clerk'] },
        ),
      ).resolves.toMatchObject({ replayed: false });
    });

    it('keeps the stored outcome as before: 201 for a creation, 200 for an event', async () => {
      const { instance } = await start('T-2', 'c');
      await f.transitions.send(instance.id, { type: 'reply', payload: { answer: 'a' }, idempotencyKey: 's' }, head);
      const rows = await f.db.read((q) =>
        q.rows<{ idem_key: string; status_code: number }>('SELECT idem_key, status_code FROM idempotency_records ORDER BY idem_key'),
      );
      expect(rows.map((r) => [r.idem_key, Number(r.status_code)])).toEqual([
        ['c', 201],
        ['s', 200],
      ]);
    });

    it('refuses a duplicate business key, a completed instance, a role the event does not allow', async () => {
      const { instance } = await start();
      await expect(start()).rejects.toMatchObject({ code: ErrorCode.AlreadyExists });
      await expect(f.transitions.send(instance.id, { type: 'reply', payload: { answer: 'a' } }, clerk)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
      await f.transitions.send(instance.id, { type: 'reply', payload: { answer: 'a' } }, head);
      await f.transitions.send(instance.id, { type: 'publish' }, clerk);
      await expect(f.transitions.send(instance.id, { type: 'publish' }, clerk)).rejects.toMatchObject({ code: ErrorCode.InstanceCompleted });
    });
  });

  describe('with domain functions and writers', () => {
    const sum: DomainFunction = async ({ args }) => Number(args.base) + 1;
    const recorded: unknown[] = [];
    const record: DomainWriter = async ({ tx, instance, args, seq }) => {
      recorded.push({ instance: instance.id, args, seq });
      await tx.run('INSERT INTO inbox_items (id, role, instance_id, message, created_at) VALUES ($1, $2, $3, $4, $5)', [
        `tally-${seq}`,
        'clerk',
        instance.id,
        String(args.total),
        FIXTURE_NOW,
      ]);
    };

    it('runs compute before the event and apply inside its transaction', async () => {
      f = await serviceFixture({ definitions: { 'tally.yaml': TALLY }, functions: { 'tally.sum': sum }, writers: { 'tally.record': record } });
      const { instance } = await f.transitions.create({ definition: 'tally', businessKey: 'A' }, clerk);
      const after = await f.transitions.send(instance.id, { type: 'add', payload: { total: 99 } }, clerk);
      expect(after.context).toEqual({ total: 1 });
      expect((await f.instances.audit(instance.id, clerk)).at(-1)).toMatchObject({ payload: { total: 1 } });
      expect(await f.count('inbox_items', 'id = $1', ['tally-2'])).toBe(1);
    });

    it('a writer that throws rolls the whole transition back: nothing of it is left', async () => {
      const failing: DomainWriter = async ({ tx, instance, seq }) => {
        await tx.run('INSERT INTO inbox_items (id, role, instance_id, message, created_at) VALUES ($1, $2, $3, $4, $5)', [
          `tally-${seq}`,
          'clerk',
          instance.id,
          'x',
          FIXTURE_NOW,
        ]);
        throw new AppError(ErrorCode.AlreadyExists, 'already counted', undefined, { userMessage: '已经计过数了' });
      };
      f = await serviceFixture({ definitions: { 'tally.yaml': TALLY }, functions: { 'tally.sum': sum }, writers: { 'tally.record': failing } });
      const { instance } = await f.transitions.create({ definition: 'tally', businessKey: 'A' }, clerk);
      const err = await rejectedAppError(f.transitions.send(instance.id, { type: 'add', idempotencyKey: 'once' }, clerk));
      expect(err).toMatchObject({ code: ErrorCode.AlreadyExists, userMessage: '已经计过数了' });
      await expect(f.instances.byId(instance.id)).resolves.toMatchObject({ version: 1, context: { total: 0 } });
      expect(await f.count('audit_entries')).toBe(1);
      expect(await f.count('inbox_items')).toBe(0);
      expect(await f.count('idempotency_records')).toBe(0);
    });

    it("a refusal written by the process owner is the person's message too", async () => {
      f = await serviceFixture({ definitions: { 'tally.yaml': TALLY }, functions: { 'tally.sum': sum }, writers: { 'tally.record': record } });
      const { instance } = await f.transitions.create({ definition: 'tally', businessKey: 'A' }, clerk);
      const err = await rejectedAppError(f.transitions.send(instance.id, { type: 'refuse' }, clerk));
      expect(err).toMatchObject({ code: ErrorCode.GuardRejected, message: "'refuse' was refused: 今天不能再加了", userMessage: '今天不能再加了' });
    });

    it("a domain function the definition names but this engine lacks is an internal fault, not the sender's", async () => {
      const known = { has: () => true, names: () => ['tally.sum'], hasWriter: () => true, writerNames: () => ['tally.record'] };
      f = await serviceFixture({ definitions: { 'tally.yaml': TALLY }, known });
      const { instance } = await f.transitions.create({ definition: 'tally', businessKey: 'A' }, clerk);
      const err = await rejectedAppError(f.transitions.send(instance.id, { type: 'add' }, clerk));
      expect(err).toMatchObject({ code: ErrorCode.Internal, status: 500, retryable: false });
      expect(err.message).toContain("'tally.sum'");
      expect(await f.count('audit_entries')).toBe(1);
    });

    it('a writer the definition names but this engine lacks is an internal fault; nothing is written', async () => {
      const known = { has: () => true, names: () => ['tally.sum'], hasWriter: () => true, writerNames: () => ['tally.record'] };
      f = await serviceFixture({ definitions: { 'tally.yaml': TALLY }, functions: { 'tally.sum': sum }, known });
      const { instance } = await f.transitions.create({ definition: 'tally', businessKey: 'A' }, clerk);
      await expect(f.transitions.send(instance.id, { type: 'add' }, clerk)).rejects.toMatchObject({ code: ErrorCode.Internal });
      expect(await f.count('audit_entries')).toBe(1);
    });
  });
});
