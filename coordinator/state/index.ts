export { apply } from './apply.js';
export { attemptTimeoutMs } from './attempts.js';
export { auditHash } from './audit.js';
export type { Command, Placement, WorkerProof } from './commands.js';
export { countRunning, createState, indexTask, selectedTasks } from './create.js';
export type { DelayedEntry } from './delayed-queue.js';
export { queueLoadedTask } from './dependencies.js';
export { noteDuration } from './durations.js';
export type { StateEvent } from './events.js';
export { groupPass, passAfterPlacing } from './fair-share.js';
export {
  assignableSlots,
  breakerState,
  HEALTH_WINDOW_MS,
  type HealthConfig,
  healthConfig,
  healthHoldsBack,
  healthScore,
  newWorkerHealth,
  type WorkerHealth,
  workerHealthView,
} from './health.js';
export { leaseCapacity, pinnedAlone, slotsInUse, slotsOf } from './lease-capacity.js';
export {
  DEFAULT_SCHEDULING_POLICY,
  effectivePriority,
  type SchedulingPolicy,
  schedulingPolicy,
} from './policy.js';
export {
  classKeyOf,
  isLive,
  namedWorkers,
  type QueueEntry,
  ReadyQueue,
  RequirementClass,
} from './ready-queue.js';
export { namedFirst } from './run-notifications.js';
export {
  countResult,
  type RunRecord,
  refusesResults,
  runView,
  storedResult,
  zeroRunCounts,
} from './runs.js';
export { noteStageSpeed, stageSpeedsView } from './stage-speeds.js';
export type {
  CoordinatorState,
  CredentialHashes,
  StateConfig,
  TaskRecord,
  WorkerRecord,
} from './types.js';
export { enteredStateAt, taskEvent, taskView } from './view.js';
export { wantsEvent } from './webhooks.js';
export { isGone, NEVER_DELIVERED } from './workers.js';
