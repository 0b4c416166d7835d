export const TIMED_OUT = Symbol('timed out');

/** The promise's value, or TIMED_OUT if it has not settled after `ms`; the promise runs on. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
