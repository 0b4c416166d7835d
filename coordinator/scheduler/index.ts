export { heldBack, takesNewTasks } from './eligibility.js';
export { expiredLeases, expiredWorkers, type LoopStall } from './liveness.js';
export { explainUnschedulable } from './match.js';
export { matchingWorkers } from './matching-workers.js';
export { schedule } from './schedule.js';
export { unfitTargets, waitingOnTargets } from './targets.js';
