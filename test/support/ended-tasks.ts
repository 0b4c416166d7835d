import { type TaskEvent, TERMINAL_STATES } from '../../protocol/index.js';
import { Waiters } from './waiters.js';

/**
 * Terminal events as subscriptions announce them, per task, with a way to wait until a number
 * of tasks have ended. Snapshots (after a reconnect) are kept apart: they repeat a state, they
 * do not announce it.
 */
export class EndedTasks {
  /** Every terminal event announced per task; exactly one each in a correct run. */
  readonly announced = new Map<string, TaskEvent[]>();
  /** Terminal states first seen in a subscription's snapshot rather than announced. */
  readonly fromSnapshot = new Map<string, TaskEvent>();
  private readonly waiters = new Waiters();

  /** A subscription's event handler. */
  readonly record = (events: TaskEvent[]): void => {
    for (const event of events) {
      if (!TERMINAL_STATES.has(event.state)) continue;
      const list = this.announced.get(event.taskId) ?? [];
      list.push(event);
      this.announced.set(event.taskId, list);
    }
    this.waiters.notify();
  };

  recordSnapshot(snapshot: readonly TaskEvent[]): void {
    for (const event of snapshot) {
      if (TERMINAL_STATES.has(event.state) && !this.announced.has(event.taskId)) {
        this.fromSnapshot.set(event.taskId, event);
      }
    }
    this.waiters.notify();
  }

  /** How many distinct tasks are known to have ended. */
  get count(): number {
    let n = this.announced.size;
    for (const taskId of this.fromSnapshot.keys()) if (!this.announced.has(taskId)) n++;
    return n;
  }

  /**
   * Resolves once at least `n` tasks have ended. The default allows for hundreds of tasks on a
   * busy machine, several times slower than a quiet one; a test's own limit bounds it anyway.
   */
  waitForCount(n: number, timeoutMs = 300_000): Promise<void> {
    return this.waiters
      .waitFor(
        () => (this.count < n ? undefined : true),
        timeoutMs,
        () => new Error(`timed out waiting for ${n} tasks to end (${this.count} ended)`),
      )
      .then(() => {});
  }
}
