import type { PoolEvent } from '../../../browser-worker/pool/index.js';
import { Waiters } from '../../support/waiters.js';

/** Records a pool's events and resolves waits on them, so tests never sleep a fixed time. */
export class PoolEventLog {
  readonly events: PoolEvent[] = [];
  private readonly waiters = new Waiters();

  readonly record = (event: PoolEvent): void => {
    this.events.push(event);
    this.waiters.notify();
  };

  /** The first event from now on (or already recorded after `since`) matching `matches`. */
  waitFor(
    matches: (event: PoolEvent) => boolean,
    since = 0,
    timeoutMs = 60_000,
  ): Promise<PoolEvent> {
    return this.waiters.waitFor(
      () => this.events.slice(since).find(matches),
      timeoutMs,
      () => {
        const seen = this.events
          .map((event) => `${event.type} ${'member' in event ? event.member.name : event.browser}`)
          .join(', ');
        return new Error(`no matching pool event within ${timeoutMs} ms; saw: ${seen}`);
      },
    );
  }
}
