import { type CoordinatorState, healthHoldsBack, type WorkerRecord } from '../state/index.js';

/**
 * Why the scheduler gives the worker no new tasks now (`state.clock`), or undefined when it
 * may: not connected, draining, or held back by its health (see `state/health.ts`).
 */
export function heldBack(state: CoordinatorState, worker: WorkerRecord): string | undefined {
  if (worker.status !== 'connected') return `it is ${worker.status}`;
  if (worker.draining) return 'it is draining';
  return healthHoldsBack(state, worker);
}

export function takesNewTasks(state: CoordinatorState, worker: WorkerRecord): boolean {
  return heldBack(state, worker) === undefined;
}
