/** Milliseconds since a `performance.now()` reading. */
export const elapsed = (since: number): number => performance.now() - since;
