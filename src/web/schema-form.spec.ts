import { chineseFieldMessage, fieldOfPath, formFields, payloadFromForm } from './schema-form';

const SCHEMA = {
  type: 'object',
  required: ['valid', 'when'],
  properties: {
    valid: { type: 'boolean', title: '是否有效' },
    channel: { enum: ['来访', '来电'], description: '投诉渠道' },
    when: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    count: { type: 'integer' },
    note: { type: 'string', maxLength: 50 },
    text: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

describe('forms from a JSON Schema', () => {
  it('picks a control per schema and marks required fields, labels and errors by JSON path', () => {
    const fields = formFields(SCHEMA, { values: { channel: '来电' }, errors: [{ path: '$.valid', message: 'is required' }], labels: { count: '次数' } });
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['valid', 'select', true],
      ['channel', 'select', false],
      ['when', 'datetime', true],
      ['day', 'date', false],
      ['count', 'number', false],
      ['note', 'text', false],
      ['text', 'textarea', false],
      ['tags', 'json', false],
    ]);
    expect(fields[0]).toMatchObject({
      label: '是否有效',
      errors: ['必填'],
      options: [
        { value: 'true', label: '是' },
        { value: 'false', label: '否' },
      ],
    });
    expect(fields[1]).toMatchObject({ label: 'channel', description: '投诉渠道' });
    expect(fields[1].options.find((o) => o.selected)?.value).toBe('来电');
    expect(fields[4].label).toBe('次数');
  });

  it('builds the payload back: empty fields left out, values converted, bad values named by path', () => {
    const toInstant = (local: string) => `${local}:00+08:00`;
    expect(payloadFromForm(SCHEMA, { valid: 'false', when: '2026-12-01T09:30', count: '3', text: '', tags: '["a"]', channel: '来访' }, toInstant)).toEqual({
      payload: { valid: false, when: '2026-12-01T09:30:00+08:00', count: 3, tags: ['a'], channel: '来访' },
      errors: [],
    });
    expect(payloadFromForm(SCHEMA, { count: '1.5', tags: '[', valid: 'maybe' }, toInstant).errors).toEqual([
      { path: '$.valid', message: '请选择 是 或 否' },
      { path: '$.count', message: '请填整数' },
      { path: '$.tags', message: '不是有效的 JSON' },
    ]);
  });

  it('reads the field of an error path and says the engine messages in Chinese', () => {
    expect(fieldOfPath('$.a.b')).toBe('a');
    expect(fieldOfPath('$["x y"].z')).toBe('x y');
    expect(fieldOfPath('$')).toBeUndefined();
    expect(chineseFieldMessage('must NOT have fewer than 1 characters')).toBe('不能为空');
    expect(chineseFieldMessage('must be one of: "a", "b"')).toBe('必须是以下之一："a", "b"');
  });
});
