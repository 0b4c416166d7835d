export { probeCapabilities } from './capabilities.js';
export { runProcess } from './runners/run-process.js';
export { findVitest } from './runners/vitest.js';
export { checkLimitsApply, type TaskLimits } from './task-limits.js';
export { startWorker, type WorkerHandle, type WorkerOptions } from './worker.js';
export {
  startWorkerGroup,
  type WorkerGroupHandle,
  type WorkerGroupOptions,
} from './worker-group.js';
