/**
 * The query side against a real SQLite file: reads checked against the reader's roles, paging
 * and filters, available events, work lists, linked instances, and the unchecked lookups the
 * worker and the process services use. No HTTP.
 */
import { ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import { fixtureDefinition, serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';

const clerk: Actor = { id: 'clerk-1', roles: ['clerk'] };
const head: Actor = { id: 'head-1', roles: ['head'] };
const stranger: Actor = { id: 'x', roles: ['applicant'] };
const auditor: Actor = { id: 'a', roles: ['auditor'] };

describe('InstanceQueryService (the query side)', () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture({
      definitions: {
        'ticket.yaml': fixtureDefinition('ticket.yaml'),
        'ticket-task.yaml': fixtureDefinition('ticket-task.yaml'),
        'leave-approval.yaml': fixtureDefinition('leave-approval.yaml'),
      },
    });
  });
  afterEach(() => f.dispose());

  const ticket = async (businessKey: string) =>
    (await f.transitions.create({ definition: 'ticket', businessKey, context: { title: 't', requester: 'r', email: 'r@example.com' } }, clerk)).instance;

  it('reads an instance for a role of its process or a reading platform role, and refuses anyone else', async () => {
    const t = await ticket('T-1');
    await expect(f.instances.get(t.id, head)).resolves.toEqual(t);
    await expect(f.instances.get(t.id, auditor)).resolves.toEqual(t);
    await expect(f.instances.get(t.id, stranger)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(f.instances.audit(t.id, stranger)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(f.instances.get('nope', head)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('lists newest first, filtered and paged, only instances of processes the reader has a role in', async () => {
    for (const key of ['T-1', 'T-2', 'T-3']) {
      await ticket(key);
      f.clock.advance(1000);
    }
    await f.transitions.create({ definition: 'leave-approval', businessKey: 'L-1', context: { applicantName: '甲' } }, { id: 'p', roles: ['applicant'] });
    const page = await f.instances.list({ limit: 2 }, clerk);
    expect(page).toMatchObject({ total: 3, offset: 0, limit: 2 });
    expect(page.items.map((i) => i.businessKey)).toEqual(['T-3', 'T-2']);
    expect((await f.instances.list({ offset: 2 }, clerk)).items.map((i) => i.businessKey)).toEqual(['T-1']);
    expect((await f.instances.list({ businessKey: 'T-2' }, clerk)).items.map((i) => i.businessKey)).toEqual(['T-2']);
    expect((await f.instances.list({}, auditor)).total).toBe(4);
    expect((await f.instances.list({}, { id: 'n', roles: ['nobody'] })).items).toEqual([]);
  });

  it('tells each reader which events they may send now, and lists their work', async () => {
    const t = await ticket('T-1');
    expect((await f.instances.availableEvents(t.id, head)).map((e) => e.type)).toEqual(['reply']);
    expect((await f.instances.availableEvents(t.id, clerk)).map((e) => e.type).sort()).toEqual(['followUp', 'spawn']);
    const [task] = await f.instances.tasks(head);
    expect(task).toMatchObject({ instance: { id: t.id }, title: '工单', stateTitle: '待回复', events: [{ type: 'reply' }] });
    await f.transitions.send(t.id, { type: 'reply', payload: { answer: 'a' } }, head);
    await f.transitions.send(t.id, { type: 'publish' }, clerk);
    await expect(f.instances.availableEvents(t.id, clerk)).resolves.toEqual([]);
    await expect(f.instances.tasks(head)).resolves.toEqual([]);
  });

  it('finds the linked instances: the child a ticket started, and the parent it reported back to', async () => {
    const t = await ticket('T-1');
    await f.transitions.send(t.id, { type: 'spawn', payload: { task: 'TASK-1' } }, clerk);
    expect(await f.outbox.tick()).toBe(1);
    const child = await f.instances.byBusinessKey('ticket-task', 'TASK-1');
    expect(child).toMatchObject({ parentId: t.id, state: 'todo' });
    await f.transitions.send(child!.id, { type: 'finish' }, head);
    expect(await f.outbox.tick()).toBe(1);
    const related = await f.instances.related(t.id, head);
    expect(related.map((r) => [r.relation, r.instance.businessKey, r.trail.map((e) => e.eventType)])).toEqual([['child', 'TASK-1', ['$start', 'finish']]]);
    expect((await f.instances.related(child!.id, head)).map((r) => r.relation)).toEqual(['parent']);
  });

  it("looks instances up for the engine's own parts, without an access check", async () => {
    const a = await ticket('R-1%');
    const b = await ticket('R-12');
    await ticket('S-1');
    await expect(f.instances.byId(a.id)).resolves.toEqual(a);
    await expect(f.instances.byBusinessKey('ticket', 'nope')).resolves.toBeUndefined();
    expect((await f.instances.ofDefinition('ticket')).map((i) => i.businessKey)).toEqual(['R-1%', 'R-12', 'S-1']);
    // A business key is matched exactly: no prefix, no wildcard.
    expect(await f.instances.activeIds({ definition: 'ticket', businessKey: 'R-12' })).toEqual([b.id]);
    expect(await f.instances.activeIds({ definition: 'ticket', businessKey: 'R-1' })).toEqual([]);
    expect(await f.instances.activeIds({ definition: 'ticket', businessKey: 'R-1%' })).toEqual([a.id]);
  });

  it('finds active instances by their declared correlation values, exactly as data', async () => {
    const create = async (businessKey: string, requester: unknown) =>
      (await f.transitions.create({ definition: 'ticket', businessKey, context: { title: 't', requester, email: 'r@example.com' } }, clerk)).instance;
    const a = await create('Q-1', '翠湖');
    const b = await create('Q-2', '翠湖');
    await create('Q-3', '翠湖-二期');
    await create('Q-4', '翠');
    const ids = await f.instances.activeIds({ definition: 'ticket', where: { requester: '翠湖' } });
    expect(ids).toEqual([a.id, b.id].sort());
    expect(await f.instances.activeIds({ definition: 'ticket', where: { requester: '翠湖' }, excluding: a.id })).toEqual([b.id]);
    expect(await f.instances.activeIds({ definition: 'ticket', where: { requester: '翠%' } })).toEqual([]);
    // Other definitions do not share the values.
    expect(await f.instances.activeIds({ definition: 'ticket-task', where: { requester: '翠湖' } })).toEqual([]);
    // The value follows the context: a changed requester moves the instance.
    const rows = await f.db.read((q) =>
      q.rows<{ name: string; value: string }>('SELECT name, value FROM instance_correlations WHERE instance_id = $1', [a.id]),
    );
    expect(rows).toEqual([{ name: 'requester', value: '"翠湖"' }]);
  });

  it('lets only participants of an active instance add files', async () => {
    const t = await ticket('T-1');
    await expect(f.instances.assertParticipant(t.id, clerk)).resolves.toBeUndefined();
    await expect(f.instances.assertParticipant(t.id, auditor)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
  });
});
