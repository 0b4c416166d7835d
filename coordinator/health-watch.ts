import { type CoordinatorState, healthHoldsBack } from './state/index.js';
import type { CommandSink } from './store/index.js';

/**
 * A worker held back by its health can become eligible again by the clock alone: its breaker's
 * cooldown runs out (half-open), or its failures fade out of the score's window. No command
 * marks that moment, so nothing would make the scheduler look; this notices it and ticks.
 */
export class HealthWatch {
  /** Connected workers whose health kept them from new tasks at the last check. */
  private held = new Set<string>();

  constructor(
    private readonly state: CoordinatorState,
    private readonly commit: CommandSink,
  ) {}

  /** Call periodically; submits a `Tick` (which reschedules) when a held worker is released. */
  check(now: number): void {
    const held = new Set<string>();
    let released = false;
    for (const worker of this.state.workers.values()) {
      if (worker.status !== 'connected') continue;
      if (healthHoldsBack(this.state, worker, now) !== undefined) held.add(worker.id);
      else if (this.held.has(worker.id)) released = true;
    }
    this.held = held;
    if (released) this.commit.submit({ type: 'Tick', now });
  }
}
