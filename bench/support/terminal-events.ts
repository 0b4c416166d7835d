import type { DtfClient, Subscription } from '../../client/index.js';
import { type TaskEvent, TERMINAL_STATES } from '../../protocol/index.js';

/**
 * Follows a group from before its tasks are submitted, so that waiting for a task's end costs
 * no subscribe round trip of its own: `ended(taskId)` resolves with the task's terminal event,
 * whether it came before or after the call.
 */
export class TerminalEvents {
  private readonly seen = new Map<string, TaskEvent>();
  private readonly waiting = new Map<string, (event: TaskEvent) => void>();

  private constructor(private readonly subscription: Subscription) {}

  static async follow(client: DtfClient, group: string): Promise<TerminalEvents> {
    let self: TerminalEvents | undefined;
    const early: TaskEvent[] = [];
    const subscription = await client.subscribe({ group }, (events) => {
      if (self === undefined) early.push(...events);
      else self.accept(events);
    });
    self = new TerminalEvents(subscription);
    self.accept([...subscription.snapshot, ...early]);
    return self;
  }

  ended(taskId: string): Promise<TaskEvent> {
    const event = this.seen.get(taskId);
    if (event !== undefined) {
      this.seen.delete(taskId);
      return Promise.resolve(event);
    }
    return new Promise((resolve) => this.waiting.set(taskId, resolve));
  }

  close(): Promise<void> {
    return this.subscription.close();
  }

  private accept(events: readonly TaskEvent[]): void {
    for (const event of events) {
      if (!TERMINAL_STATES.has(event.state)) continue;
      const waiter = this.waiting.get(event.taskId);
      if (waiter === undefined) {
        this.seen.set(event.taskId, event);
      } else {
        this.waiting.delete(event.taskId);
        waiter(event);
      }
    }
  }
}
