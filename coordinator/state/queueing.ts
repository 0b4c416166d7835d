import { expectedDurationMs } from './durations.js';
import type { CoordinatorState, TaskRecord } from './types.js';

/**
 * Puts a queued task where it belongs now: nowhere while a parent has not succeeded, in the
 * backoff queue while its retry delay runs, otherwise in the ready queue for placement.
 */
export function enqueue(state: CoordinatorState, task: TaskRecord, now: number): void {
  if (task.waitingOn > 0) return;
  if (task.notBefore !== undefined) {
    if (task.notBefore > now) {
      state.delayed.add(task, task.notBefore);
      return;
    }
    delete task.notBefore;
  }
  state.ready.add(task, expectedDurationMs(state, task));
}

/** Moves every task whose backoff has run out to the ready queue; returns how many. */
export function releaseDue(state: CoordinatorState, now: number): number {
  const due = state.delayed.takeDue(now);
  for (const task of due) {
    delete task.notBefore;
    state.ready.add(task, expectedDurationMs(state, task));
  }
  return due.length;
}
