import type { Requirements } from '../../protocol/index.js';
import { assignableSlots } from './health.js';
import type { CoordinatorState, TaskRecord, WorkerRecord } from './types.js';

/** The slots a task takes on its worker. */
export const slotsOf = (task: TaskRecord): number => task.spec.requirements.slots ?? 1;

/** The slots `worker`'s live leases take. */
export function slotsInUse(state: CoordinatorState, worker: WorkerRecord): number {
  let used = 0;
  for (const taskId of worker.running) {
    const task = state.tasks.get(taskId);
    used += task === undefined ? 1 : slotsOf(task);
  }
  return used;
}

/**
 * Whether tasks of `requirements` may run on `workerId` alone: no other worker could start
 * them sooner, so one may wait on that worker for a slot instead of in the queue.
 */
export function pinnedAlone(requirements: Requirements, workerId: string): boolean {
  const named = requirements.workers;
  return named !== undefined && named.length > 0 && named.every((id) => id === workerId);
}

/**
 * Leases beyond each slot that tasks pinned to a worker alone may hold, waiting on it: enough
 * that a stage runs back to back while the results before it make their round trip through
 * the coordinator (in a browser, 15–30 ms against a stage run of 5–15 ms).
 */
export const WAITING_PER_SLOT = 2;

/**
 * How many leases `worker` may hold with one more of `requirements` among them: its assignable
 * slots, and `WAITING_PER_SLOT` more per slot for a task pinned to it alone (a sharded run's
 * stage). Those extra ones wait on the worker (its task pool queues them and reports each
 * started when it starts), so a stage's next micro-batch is at hand the moment the one before
 * ends, rather than a result-to-assignment round trip later.
 */
export function leaseCapacity(
  state: CoordinatorState,
  worker: WorkerRecord,
  requirements: Requirements,
): number {
  const slots = assignableSlots(state, worker);
  return pinnedAlone(requirements, worker.id) ? (1 + WAITING_PER_SLOT) * slots : slots;
}
