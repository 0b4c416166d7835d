export { apply } from './apply.js';
export { attemptTimeoutMs } from './attempts.js';
export type { Command, Placement } from './commands.js';
export { createState, indexTask } from './create.js';
export { queueLoadedTask } from './dependencies.js';
export type { StateEvent } from './events.js';
export { ReadyQueue, RequirementClass } from './ready-queue.js';
export type {
  CoordinatorState,
  StateConfig,
  TaskRecord,
  WorkerRecord,
  WorkerStatus,
} from './types.js';
export { taskEvent, taskView } from './view.js';
