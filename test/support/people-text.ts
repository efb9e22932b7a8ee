/**
 * What "plain Chinese for people" means in a test: a message shown to staff or owners may
 * carry codes, ids and numbers (QP-08-15-F001, P2, 1栋-1-101, 2026-03, §2.4) and the names of
 * fields a definition declares, but no English words.
 */

/** The English words left in `text` once codes, ids, numbers and the `allowed` names are set aside. */
export function latinWords(text: string, allowed: ReadonlySet<string> = new Set()): string[] {
  // A token with a digit in it is a code, an id, a number or a time (SR-翠湖-2026-03-稳定期, P0, 09:00).
  const withoutCodes = text.replace(/[A-Za-z0-9_.:+\-/]*\d[A-Za-z0-9_.:+\-/]*/g, ' ');
  return (withoutCodes.match(/[A-Za-z][A-Za-z_$]+/g) ?? []).filter((w) => !allowed.has(w));
}

/** Every property name and string enum value declared anywhere in a JSON Schema (field names and codes). */
export function schemaNames(schema: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) {
    for (const s of schema) schemaNames(s, into);
  } else if (schema && typeof schema === 'object') {
    const o = schema as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) into.add(k);
    if (Array.isArray(o.enum)) for (const v of o.enum) if (typeof v === 'string') into.add(v);
    if (Array.isArray(o.required)) for (const v of o.required) if (typeof v === 'string') into.add(v);
    for (const v of Object.values(o)) if (v && typeof v === 'object') schemaNames(v, into);
  }
  return into;
}
