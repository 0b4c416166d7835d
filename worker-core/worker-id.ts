/**
 * A new worker id: random, so no one can guess it before the worker registers it. Falls back to
 * `getRandomValues`: `crypto.randomUUID` exists only in secure contexts, and a page on a LAN
 * address is not one.
 */
export function newWorkerId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
