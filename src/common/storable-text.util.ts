/**
 * What text both databases store alike. PostgreSQL refuses a NUL character in `text`, `varchar`
 * and `jsonb` (SQLite stores it), and neither a key nor a name nor a title has a use for the
 * other C0 control characters or DEL; tab, line feed and carriage return stay allowed, as free
 * text (descriptions, comments) has lines. Column lengths are checked where each value is
 * validated, next to the column they fill.
 */

/** A control character no stored text may hold (matching them is the point). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** `U+0000` for the first control character of text, or undefined when it has none. */
export function controlCharacterIn(text: string): string | undefined {
  const found = CONTROL_CHARACTER.exec(text);
  return found ? `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/**
 * Why text cannot be stored in a column of `maxLength` characters (too long, or holding a
 * control character), or undefined when it can.
 */
export function unstorableText(text: string, maxLength: number): string | undefined {
  const length = [...text].length;
  if (length > maxLength) return `is longer than ${maxLength} characters (it has ${length})`;
  const character = controlCharacterIn(text);
  return character ? `holds the control character ${character}` : undefined;
}

/**
 * The path (keys and indices) of the first map key or string in value holding a control
 * character, that character, and whether it is in the key; undefined when there is none. Walks with its own stack: the
 * value may be deep.
 */
export function controlCharacterAt(value: unknown): { path: (string | number)[]; character: string; inKey: boolean } | undefined {
  const pending: { value: unknown; path: (string | number)[]; key?: string }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const visit = pending.pop() as { value: unknown; path: (string | number)[]; key?: string };
    const inKey = visit.key === undefined ? undefined : controlCharacterIn(visit.key);
    if (inKey) return { path: visit.path, character: inKey, inKey: true };
    if (typeof visit.value === 'string') {
      const character = controlCharacterIn(visit.value);
      if (character) return { path: visit.path, character, inKey: false };
      continue;
    }
    if (typeof visit.value !== 'object' || visit.value === null) continue;
    const entries: [string | number, unknown][] = Array.isArray(visit.value) ? visit.value.map((v, i) => [i, v]) : Object.entries(visit.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      pending.push({ value: child, path: [...visit.path, key], key: typeof key === 'string' ? key : undefined });
    }
  }
  return undefined;
}
