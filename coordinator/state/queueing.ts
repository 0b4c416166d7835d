import { expectedDurationMs } from './durations.js';
import type { CoordinatorState, TaskRecord } from './types.js';

/**
 * Puts a queued task where it belongs now: nowhere while a parent has not succeeded, in the
 * backoff queue while its retry delay runs, otherwise in the ready queue for placement.
 */
export function enqueue(state: CoordinatorState, task: TaskRecord, now: number): void {
  if (task.waitingOn > 0) return;
  if (task.notBefore !== undefined && task.notBefore > now) {
    state.delayed.add(task, task.notBefore);
    return;
  }
  makeReady(state, task);
}

/** Moves every task whose backoff has run out to the ready queue. */
export function releaseDue(state: CoordinatorState, now: number): void {
  for (const task of state.delayed.takeDue(now)) makeReady(state, task);
}

function makeReady(state: CoordinatorState, task: TaskRecord): void {
  delete task.notBefore;
  state.ready.add(task, expectedDurationMs(state, task));
}
