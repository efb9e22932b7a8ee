/**
 * Definition versions on a real SQLite file: content-addressed, numbered per key, refused whole
 * when invalid, compiled once per process.
 */
import { ErrorCode } from '../common/app-error';
import { rejectedAppError } from '../../test/support/app-error';
import { fixtureDefinition, serviceFixture, type ServiceFixture } from '../../test/support/service-fixture';

const LEAVE = fixtureDefinition('leave-approval.yaml');

describe('DefinitionRegistry', () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture({ definitions: {} });
  });
  afterEach(() => f.dispose());

  it('stores the same text once and a changed text as the next version; new instances take the newest', async () => {
    const nextId = `00000000-0000-4000-8000-${(f.ids.issued + 1).toString(16).padStart(12, '0')}`;
    const v1 = await f.definitions.register(LEAVE, 'leave-approval.yaml', 'owner');
    expect(v1).toMatchObject({ key: 'leave-approval', version: 1, created: true, id: nextId, createdAt: '2026-02-13T02:00:00.000Z' });
    await expect(f.definitions.register(LEAVE, 'copy.yaml', 'someone')).resolves.toMatchObject({ id: v1.id, version: 1, created: false });
    const v2 = await f.definitions.register(LEAVE.replace('value: 10', 'value: 3'), 'leave-approval.yaml', 'owner');
    expect(v2).toMatchObject({ version: 2, created: true });
    await expect(f.definitions.latest('leave-approval')).resolves.toMatchObject({ id: v2.id });
    expect((await f.definitions.versions('leave-approval')).map((v) => v.version)).toEqual([1, 2]);
    await expect(f.definitions.source(v1.id)).resolves.toBe(LEAVE);
    expect(await f.definitions.machine(v2.id)).toBe(await f.definitions.machine(v2.id));
  });

  it('refuses an invalid text whole, with positioned errors, and stores nothing', async () => {
    const err = await rejectedAppError(f.definitions.register(LEAVE.replace('target: approved', 'target: nowhere'), 'leave-approval.yaml', 'owner'));
    expect(err.code).toBe(ErrorCode.DefinitionInvalid);
    expect(err.details?.errors).toEqual([expect.objectContaining({ file: 'leave-approval.yaml', line: expect.any(Number), column: expect.any(Number) })]);
    await expect(f.definitions.list()).resolves.toEqual([]);
    await expect(f.definitions.latest('leave-approval')).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: "no definition 'leave-approval'; known definitions: (none)",
    });
  });
});
