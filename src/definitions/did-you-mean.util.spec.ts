import { closestMatch, editDistance } from './did-you-mean.util';

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('titel', 'title')).toBe(1);
    expect(editDistance('closd', 'closed')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });

  it('suggests only close names', () => {
    expect(closestMatch('closd', ['open', 'closed', 'archived'])).toBe('closed');
    expect(closestMatch('zzz', ['open', 'closed'])).toBeUndefined();
  });
});
