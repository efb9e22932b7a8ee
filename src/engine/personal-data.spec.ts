import type { PersonalDataDefinition } from '../definitions/definition.types';
import type { AuditEntryView } from './instance.types';
import { maskAuditEntry, maskNamed, maskValue, personalValues, redactText } from './personal-data';

const personal: PersonalDataDefinition = { fields: ['complainant', 'contact'], payload: { raise: ['name', 'phone'] }, clearFor: ['cs_assistant'] };

const entry = (over: Partial<AuditEntryView>): AuditEntryView => ({
  instanceId: 'i1',
  seq: 1,
  eventType: '$start',
  payload: {},
  actor: 'ca',
  actorRoles: ['cs_assistant'],
  fromState: null,
  toState: 'registered',
  definitionVersionId: 'v1',
  effects: [],
  at: '2026-01-01T00:00:00.000Z',
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
  cause: null,
  ...over,
});

describe('masking personal data on read', () => {
  it('masks names and phones the way the roster does (002 第六条.2)', () => {
    expect(maskValue('王伟')).toBe('王*');
    expect(maskValue('欧阳娜')).toBe('欧**');
    expect(maskValue('13800000001')).toBe('138****0001');
    expect(maskValue('电话 0755-12345678')).toBe('电话 075****5678');
    expect(maskValue({ a: '王伟' })).toEqual({ a: '王*' });
  });

  it('masks the starting context and the declared payload fields of a trail, keeping the stored hash', () => {
    const trail = [
      entry({ payload: { complainant: '王伟', contact: '13800000001', unit: '8栋801' } }),
      entry({ seq: 2, eventType: 'raise', fromState: 'registered', payload: { name: '李娜', phone: '13900000002', content: '漏水' } }),
      entry({
        seq: 3,
        eventType: 'other',
        fromState: 'registered',
        payload: { name: '不是个人数据' },
        effects: [{ kind: 'notify', params: { message: '请联系王伟' } }],
      }),
    ];
    const values = personalValues(personal, { complainant: '王伟', contact: '13800000001' }, trail);
    const masked = trail.map((e) => maskAuditEntry(e, { personal, values }));
    expect(masked[0].payload).toEqual({ complainant: '王*', contact: '138****0001', unit: '8栋801' });
    expect(masked[1].payload).toEqual({ name: '李*', phone: '139****0002', content: '漏水' });
    expect(masked[2].payload).toEqual({ name: '不是个人数据' });
    expect(masked[2].effects).toEqual([{ kind: 'notify', params: { message: '请联系王*' } }]);
    expect(masked.map((e) => e.hash)).toEqual(trail.map((e) => e.hash));
  });

  it('masks declared names at any depth and quoted values in HTML as Handlebars escapes them', () => {
    expect(maskNamed({ kind: 'start', context: { complainant: '王伟', unit: '8栋801' } }, ['complainant'])).toEqual({
      kind: 'start',
      context: { complainant: '王*', unit: '8栋801' },
    });
    const values = new Map([["O'Neil", maskValue("O'Neil") as string]]);
    expect(redactText('<td>O&#x27;Neil</td>', values)).toBe('<td>O*****</td>');
  });
});
