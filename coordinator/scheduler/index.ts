export { heldBack, takesNewTasks } from './eligibility.js';
export type { SchedulerHooks, SchedulingTask, SchedulingWorker } from './hook-types.js';
export { type NamedSchedulerHooks, type PlacementHooks, placementHooks } from './hooks.js';
export { expiredLeases, expiredWorkers, type LoopStall } from './liveness.js';
export { explainUnschedulable } from './match.js';
export { matchingWorkers } from './matching-workers.js';
export { schedule } from './schedule.js';
export { unfitTargets, waitingOnTargets } from './targets.js';
