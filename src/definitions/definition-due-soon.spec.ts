import { loadDefinition } from './definition-loader';

/** A small definition with `dueSoon:` on line 3 (omitted when `value` is undefined). */
function doc(value?: string): string {
  return [
    'key: sample',
    'title: 示例',
    ...(value === undefined ? [] : [`dueSoon: ${value}`]),
    'roles: { clerk: {} }',
    'start: { roles: [clerk] }',
    'initial: waiting',
    'states:',
    '  waiting: { on: { finish: { roles: [clerk], target: done } } }',
    '  done: { type: final }',
  ].join('\n');
}

describe('dueSoon: the due-soon threshold of the deadline badges', () => {
  it('reads a number of working days (English or Chinese); without the key the default of one working day holds', () => {
    const two = loadDefinition(doc('2 working days'), { file: 'x.yaml' });
    expect(two.ok && two.definition.dueSoonWorkingDays).toBe(2);
    const zh = loadDefinition(doc('3个工作日'), { file: 'x.yaml' });
    expect(zh.ok && zh.definition.dueSoonWorkingDays).toBe(3);
    const zero = loadDefinition(doc('0 working days'), { file: 'x.yaml' });
    expect(zero.ok && zero.definition.dueSoonWorkingDays).toBe(0);
    const none = loadDefinition(doc(), { file: 'x.yaml' });
    expect(none.ok && none.definition.dueSoonWorkingDays).toBeUndefined();
  });

  it.each(['soon', '2 days', '2 hours', '-1 working days', '99 working days'])("refuses 'dueSoon: %s' at its line and column", (value) => {
    const result = loadDefinition(doc(value), { file: 'x.yaml' });
    if (result.ok) throw new Error('expected the definition to be refused');
    expect(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      `3:10 cannot read 'dueSoon: ${value}': write a whole number of working days from 0 to 30, e.g. 'dueSoon: 2 working days' (0: yellow only on the day it falls due)`,
    ]);
  });
});
