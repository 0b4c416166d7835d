import {
  type TaskEvent,
  type TaskState,
  TERMINAL_STATES,
  zeroStateCounts,
} from '../protocol/index.js';

/**
 * Where an event stands in its task's life, from its state and attempt alone: attempt n is
 * assigned, then running, then (if it was lost or handed back) queued again with attempt n
 * until attempt n + 1 is assigned; the first `queued` has attempt 0, and an end comes last.
 * Clocks play no part, so events that arrive out of order, or twice, are told apart exactly.
 */
function position(event: TaskEvent): number {
  if (TERMINAL_STATES.has(event.state)) return Number.POSITIVE_INFINITY;
  const step = event.state === 'assigned' ? 1 : event.state === 'running' ? 2 : 3;
  return event.attempt === 0 ? 0 : event.attempt * 4 + step;
}

/**
 * Whether `next` describes a later moment of the task than `current`. Events can reach a
 * subscriber before the snapshot they follow, so the order of arrival is not trusted.
 */
function supersedes(next: TaskEvent, current: TaskEvent): boolean {
  return position(next) > position(current);
}

/** The latest known state of a set of tasks, fed by a subscription's snapshot and events. */
export class TaskProgress {
  private readonly latest = new Map<string, TaskEvent>();
  private readonly counts = zeroStateCounts();
  private readonly expected: ReadonlySet<string>;
  private unseenExpected: number;

  /** `expectedTaskIds`: tasks that belong to the set even before any event about them arrives. */
  constructor(expectedTaskIds: Iterable<string> = []) {
    this.expected = new Set(expectedTaskIds);
    this.unseenExpected = this.expected.size;
  }

  /** Takes in `event`; false when it says nothing newer than what is known (it is dropped). */
  apply(event: TaskEvent): boolean {
    const current = this.latest.get(event.taskId);
    if (current === undefined) {
      if (this.expected.has(event.taskId)) this.unseenExpected--;
    } else {
      if (!supersedes(event, current)) return false;
      this.counts[current.state]--;
    }
    this.counts[event.state]++;
    this.latest.set(event.taskId, event);
    return true;
  }

  /** Tasks in the set: the expected ones and every one an event was seen for. */
  get total(): number {
    return this.latest.size + this.unseenExpected;
  }

  /** How many tasks are in each state; expected tasks not yet seen are in none. */
  countsByState(): Readonly<Record<TaskState, number>> {
    return this.counts;
  }

  /** Expected tasks that no event has mentioned. */
  unseenTaskIds(): string[] {
    return [...this.expected].filter((id) => !this.latest.has(id));
  }

  allTerminal(): boolean {
    let terminal = 0;
    for (const state of TERMINAL_STATES) terminal += this.counts[state];
    return terminal === this.total;
  }

  /** The latest event of every task seen, in the order the tasks were first seen. */
  latestEvents(): TaskEvent[] {
    return [...this.latest.values()];
  }
}
