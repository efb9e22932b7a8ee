import { tooDeepAt } from './objects.util';

const nested = (depth: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
};

describe('tooDeepAt', () => {
  it('accepts a value at the limit and names the path of the first level past it', () => {
    expect(tooDeepAt({ a: nested(63) }, 64)).toBeUndefined();
    expect(tooDeepAt({ a: nested(64) }, 64)).toEqual(['a', ...Array(63).fill(0)]);
    expect(tooDeepAt({ ok: 1, list: [{ x: 'y' }, { deep: { er: {} } }] }, 4)).toEqual(['list', 1, 'deep', 'er']);
  });

  it('walks 100,000 levels without recursion', () => {
    expect(tooDeepAt(nested(100_000), 64)).toHaveLength(64);
  });

  it('leaves scalars and class instances alone', () => {
    expect(tooDeepAt('text', 1)).toBeUndefined();
    expect(tooDeepAt({ at: new Date(), buffer: Buffer.from('x') }, 1)).toBeUndefined();
  });
});
