import type { CoordinatorState } from './state/index.js';
import type { CommandSink } from './store/index.js';

/**
 * Wakes the state machine when the earliest retry backoff runs out, so that a task waiting
 * out its delay is placed on time even when nothing else happens.
 */
export class BackoffTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly state: CoordinatorState,
    private readonly commit: CommandSink,
  ) {}

  /** Call after every batch: (re)arms the timer for the earliest backoff, if any. */
  arm(): void {
    const due = this.state.delayed.nextDue();
    if (this.stopped || due === undefined || due >= this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - Date.now()));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.commit.submit({ type: 'Tick', now: Date.now() });
  }
}
