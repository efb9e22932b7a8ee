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

interface DepthVisit {
  readonly value: unknown;
  readonly depth: number;
  readonly parent?: DepthVisit;
  readonly key?: string | number;
}

function isPlainData(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The path (keys and indices) of the first map or list nested deeper than `limit` levels (the
 * value itself is level 1), or undefined. Walks with its own stack, never recursion: the value
 * may be far too deep for the call stack, which is the point of asking.
 */
export function tooDeepAt(value: unknown, limit: number): (string | number)[] | undefined {
  const pending: DepthVisit[] = [{ value, depth: 1 }];
  while (pending.length > 0) {
    const visit = pending.pop() as DepthVisit;
    if (!isPlainData(visit.value)) continue;
    if (visit.depth > limit) {
      const path: (string | number)[] = [];
      for (let v: DepthVisit | undefined = visit; v?.key !== undefined; v = v.parent) path.unshift(v.key);
      return path;
    }
    const entries: [string | number, unknown][] = Array.isArray(visit.value) ? visit.value.map((v, i) => [i, v]) : Object.entries(visit.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      if (isPlainData(child)) pending.push({ value: child, depth: visit.depth + 1, parent: visit, key });
    }
  }
  return undefined;
}
