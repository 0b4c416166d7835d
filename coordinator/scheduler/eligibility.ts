import { type CoordinatorState, healthAllowsNewTasks, type WorkerRecord } from '../state/index.js';

/** Whether the scheduler may give the worker new tasks now (`state.clock`). */
export function takesNewTasks(state: CoordinatorState, worker: WorkerRecord): boolean {
  // Health: not while its circuit breaker is open or its score is under the threshold; one
  // probe at a time while the breaker is half-open (see `state/health.ts`).
  return worker.status === 'connected' && !worker.draining && healthAllowsNewTasks(state, worker);
}
