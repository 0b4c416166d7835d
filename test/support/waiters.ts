/**
 * Waits on something a test records as it happens, so tests never sleep a fixed time: the
 * recorder calls `notify()` after each change, and every pending `waitFor` checks again.
 */
export class Waiters {
  private readonly waiters = new Set<() => void>();

  /** Lets every pending wait check again. */
  notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  /**
   * Resolves with the first value of `probe` that is not `undefined`, checked now and after
   * each `notify()`; rejects with `timeoutError()` after `timeoutMs`.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, timeoutError: () => Error): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(timeoutError());
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
