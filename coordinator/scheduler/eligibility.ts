import type { CoordinatorState, WorkerRecord } from '../state/index.js';

/** Whether the scheduler may give the worker new tasks now (`state.clock`). */
export function takesNewTasks(_state: CoordinatorState, worker: WorkerRecord): boolean {
  return worker.status === 'connected' && !worker.draining;
}
