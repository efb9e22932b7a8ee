import { controlCharacterAt, controlCharacterIn } from './storable-text.util';

describe('storable text', () => {
  it('names the first control character, and lets tab, line feed and carriage return pass', () => {
    expect(controlCharacterIn('a\u0000b')).toBe('U+0000');
    expect(controlCharacterIn('a\u007f')).toBe('U+007F');
    expect(controlCharacterIn('第一行\r\n\t第二行')).toBeUndefined();
  });

  it('finds a control character in a value or a key, with its path', () => {
    expect(controlCharacterAt({ a: [{ b: 'ok' }, { c: 'x\u0001' }] })).toEqual({ path: ['a', 1, 'c'], character: 'U+0001', inKey: false });
    expect(controlCharacterAt({ a: { 'k\u0000': 1 } })).toEqual({ path: ['a', 'k\u0000'], character: 'U+0000', inKey: true });
    expect(controlCharacterAt({ a: ['fine', 1, null, true] })).toBeUndefined();
  });
});
