/** Small helpers for plain JSON-like data, shared by the loaders and the domain code. */

/** A plain map (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Freezes plain objects and arrays recursively (functions and class instances are left alone). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * Names every plain JavaScript object already answers to (`constructor`, `toString`,
 * `__proto__`, …). A role, rule, state or event may not be called so: looked up in a plain
 * object with `in` or `[]`, such a name would match what nobody declared.
 */
export const PROTOTYPE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);
