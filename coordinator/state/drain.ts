import type { LeaseRef } from '../../protocol/index.js';
import { holdsLease, returnAttempt } from './attempts.js';
import type { DrainSource } from './commands.js';
import { appendEvents, type StateEvent } from './events.js';
import type { CoordinatorState } from './types.js';

/**
 * The worker takes no new tasks from now on; what it runs may still finish. An admin's request
 * is announced every time (so the worker is told again, with the new grace period); the
 * worker's own announcement only when it changes something.
 */
export function drainWorker(
  state: CoordinatorState,
  workerId: string,
  by: DrainSource,
  graceMs: number | undefined,
): StateEvent[] {
  const worker = state.workers.get(workerId);
  if (worker === undefined) return [];
  const wasDraining = worker.draining;
  if (!wasDraining) {
    worker.draining = true;
    state.workersVersion++;
  }
  if (by === 'worker' && wasDraining) return [];
  const event: StateEvent = { type: 'WorkerDraining', worker, by };
  if (graceMs !== undefined) event.graceMs = graceMs;
  return [event];
}

/**
 * A (draining) worker hands back attempts it will not finish. Each lease the worker really
 * holds is requeued at once and not charged to the task's retries; a stale lease (the attempt
 * already ended, or moved to another worker) changes nothing.
 */
export function releaseTasks(
  state: CoordinatorState,
  workerId: string,
  leases: readonly LeaseRef[],
  now: number,
  reason: string,
): StateEvent[] {
  const events: StateEvent[] = [];
  const worker = state.workers.get(workerId);
  const who = worker === undefined ? workerId : worker.name;
  for (const lease of leases) {
    const task = state.tasks.get(lease.taskId);
    if (task === undefined || !holdsLease(task, workerId, lease)) continue;
    appendEvents(events, returnAttempt(state, task, now, `released by worker ${who}: ${reason}`));
  }
  return events;
}
