import type { LoopStall } from './scheduler/index.js';

/** Lateness of a timer below this is ordinary scheduling noise, not a stall. */
const MIN_STALL_MS = 20;

/**
 * Notices the event loop's stalls from a timer that should fire every `intervalMs` and fires
 * late, and keeps those that ended in the last `keepMs`: a stall ends with the timer, so
 * heartbeats that waited through it are read only afterwards (see `expiredWorkers`).
 */
export class LoopStalls {
  private readonly recent: LoopStall[] = [];
  private last: number | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly keepMs: number,
  ) {}

  /** Call on each firing of the timer; returns the stalls still kept, oldest first. */
  tick(now: number): readonly LoopStall[] {
    if (this.last !== undefined) {
      const late = now - this.last - this.intervalMs;
      if (late >= MIN_STALL_MS) this.recent.push({ endedAt: now, ms: late });
    }
    this.last = now;
    let expired = 0;
    while (expired < this.recent.length && this.recent[expired]!.endedAt < now - this.keepMs) {
      expired++;
    }
    if (expired > 0) this.recent.splice(0, expired);
    return this.recent;
  }
}
