import type { Actor } from '../compiler/process-machine.contract';
import { serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';
import { AuditVerifier } from './audit-verifier';

const clerk: Actor = { id: 'clerk-1', roles: ['clerk'] };
const head: Actor = { id: 'head-1', roles: ['head'] };

describe('AuditVerifier', () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.dispose());

  it('walks every chain and names the first entry that was tampered with', async () => {
    const ids: string[] = [];
    for (const key of ['T-1', 'T-2']) {
      const { instance } = await f.transitions.create(
        { definition: 'ticket', businessKey: key, context: { title: 't', requester: 'r', email: 'r@example.com' } },
        clerk,
      );
      await f.transitions.send(instance.id, { type: 'reply', payload: { answer: 'a' } }, head);
      ids.push(instance.id);
    }
    const verifier = new AuditVerifier(f.db);
    await expect(verifier.verify()).resolves.toMatchObject({ ok: true, instancesChecked: 2, entriesChecked: 4, broken: [] });
    await f.db.transaction((tx) => tx.run(`UPDATE audit_entries SET payload = '{"answer":"b"}' WHERE instance_id = $1 AND seq = 2`, [ids[1]]));
    const report = await verifier.verify();
    expect(report).toMatchObject({ ok: false, firstBroken: { instanceId: ids[1], seq: 2 } });
    await expect(verifier.verify({ instanceId: ids[0] })).resolves.toMatchObject({ ok: true, instancesChecked: 1 });
  });
});
