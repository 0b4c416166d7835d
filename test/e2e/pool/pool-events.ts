import type { PoolEvent } from '../../../browser-worker/pool/index.js';

/** Records a pool's events and resolves waits on them, so tests never sleep a fixed time. */
export class PoolEventLog {
  readonly events: PoolEvent[] = [];
  private readonly waiters = new Set<() => void>();

  readonly record = (event: PoolEvent): void => {
    this.events.push(event);
    for (const waiter of this.waiters) waiter();
  };

  /** The first event from now on (or already recorded after `since`) matching `matches`. */
  waitFor(
    matches: (event: PoolEvent) => boolean,
    since = 0,
    timeoutMs = 60_000,
  ): Promise<PoolEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(since).find(matches);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.events.map((event) => `${event.type} ${event.member.name}`).join(', ');
        reject(new Error(`no matching pool event within ${timeoutMs} ms; saw: ${seen}`));
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
