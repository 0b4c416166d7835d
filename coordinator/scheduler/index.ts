export { expiredLeases, expiredWorkers } from './liveness.js';
export { explainUnschedulable, satisfies, unmetRequirement } from './match.js';
export { schedule } from './schedule.js';
