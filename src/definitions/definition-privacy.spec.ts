import { loadDefinition } from './definition-loader';

/** A small definition with `read:`/`personal:` lines appended at the top level. */
function doc(extra: string[]): string {
  return [
    'key: sample',
    'title: 示例',
    'roles:',
    '  owner: { title: 业主 }',
    '  clerk: { title: 文员 }',
    'start:',
    '  roles: [owner]',
    'context:',
    '  type: object',
    '  properties:',
    '    name: { type: string }',
    '    ownerId: { type: string }',
    'initial: open',
    'states:',
    '  open:',
    '    on:',
    '      note: { roles: [owner], target: done }',
    '  done:',
    '    type: final',
    ...extra,
  ].join('\n');
}

function load(extra: string[]) {
  const result = loadDefinition(doc(extra), { file: 'x.yaml' });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result;
}
function messages(text: string): string[] {
  const result = loadDefinition(text, { file: 'x.yaml' });
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.errors.map((e) => `${e.line}:${e.column} ${e.message}`);
}

describe('read: and personal:', () => {
  it('defaults: every role reads every case, nothing is personal', () => {
    const { definition } = load([]);
    expect(definition?.read).toEqual({ own: [], all: ['owner', 'clerk'] });
    expect(definition?.personal).toEqual({ fields: [], payload: {}, clearFor: [] });
  });

  it('reads own and all roles, the owner field, personal fields and clearWhen', () => {
    const { definition } = load([
      'read: { own: [owner], all: [clerk], ownerField: ownerId }',
      'personal: { fields: [name], payload: { note: [phone] }, clearFor: [clerk], clearWhen: "=actor.id == context.ownerId" }',
    ]);
    expect(definition?.read).toEqual({ own: ['owner'], all: ['clerk'], ownerField: 'ownerId' });
    expect(definition?.personal).toMatchObject({ fields: ['name'], payload: { note: ['phone'] }, clearFor: ['clerk'] });
    const scope = { context: { ownerId: 'u1' }, payload: {}, rules: {}, now: '2026-01-01T00:00:00.000Z' };
    expect(definition?.personal.clearWhen?.evaluate({ ...scope, actor: { id: 'u1', roles: [] } })).toBe(true);
    expect(definition?.personal.clearWhen?.evaluate({ ...scope, actor: { id: 'u2', roles: [] } })).toBe(false);
  });

  it('points at undeclared roles, unknown fields and events, and a role in both lists', () => {
    const found = messages(
      doc(['read: { own: [owner, ownr], all: [owner], ownerField: ownerID }', 'personal: { fields: [nmae], payload: { nte: [phone] }, clearFor: [clark] }']),
    );
    expect(found).toEqual([
      "20:15 the role 'owner' is under both 'own' and 'all'; keep it in one list",
      "20:22 the role 'ownr' is not declared under 'roles'; declared roles: 'owner', 'clerk'. Did you mean 'owner'?",
      "20:55 'ownerID' is not a field of the context; known fields: 'name', 'ownerId'. Did you mean 'ownerId'?",
      "21:22 'nmae' is not a field of the context; known fields: 'name', 'ownerId'. Did you mean 'name'?",
      "21:40 no state accepts an event 'nte'; events: 'note'. Did you mean 'note'?",
      "21:67 the role 'clark' is not declared under 'roles'; declared roles: 'owner', 'clerk'. Did you mean 'clerk'?",
    ]);
  });

  it('expressions read instance.startedBy, and only that field', () => {
    const event = 'note: { roles: [owner], target: done }';
    const ok = loadDefinition(doc([]).replace(event, 'note: { roles: [owner], target: done, assign: { name: =instance.startedBy } }'), { file: 'x.yaml' });
    expect(ok.ok).toBe(true);
    expect(messages(doc([]).replace(event, 'note: { roles: [owner], target: done, assign: { name: =instance.startedAt } }'))).toEqual([
      expect.stringContaining("'startedAt' is not a field of 'instance'"),
    ]);
  });
});
