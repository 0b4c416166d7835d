/** Small 32-bit hashes and a structural equality for the checker's memoization. */

/** MurmurHash3's finalizer: spreads the bits of a 32-bit integer. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over the string's UTF-16 code units. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A model's hash as a 32-bit integer. */
export function toHash32(hash: number | string): number {
  if (typeof hash === 'string') return hashString(hash);
  return Number.isInteger(hash) && Math.abs(hash) <= 0x7fffffff
    ? mix32(hash)
    : hashString(String(hash));
}

/** The default state hash: the value itself for primitives, its JSON otherwise. */
export function defaultHash(state: unknown): number {
  if (state === undefined) return 0x5bd1e995;
  if (state === null) return 0x1b873593;
  if (typeof state === 'number') return toHash32(state);
  if (typeof state === 'string') return hashString(state);
  if (typeof state === 'boolean') return state ? 0x2f1c3a55 : 0x6c8e9cf5;
  return hashString(JSON.stringify(state) ?? '');
}

/** Structural equality of JSON-like values (arrays, plain objects, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
}
