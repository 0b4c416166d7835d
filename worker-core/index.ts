export { attemptKey } from './attempt-key.js';
export {
  type AutoscaleLimits,
  type AutoscaleStep,
  type AutoscaleView,
  autoscaleStep,
  DEFAULT_RESERVE_MB,
  DEFAULT_SCALE_DOWN_AFTER_MS,
  DEFAULT_WORKER_MB,
} from './autoscale.js';
export {
  type AutoscaleLoopOptions,
  runAutoscaleLoop,
  type ScaledGroup,
  type ScaledMember,
} from './autoscale-loop.js';
export type { ConnectionHandlers, WorkerConnection } from './connection.js';
export { errorText } from './error-text.js';
export { type InferenceSessionLike, type InferenceSetup, runInference } from './infer.js';
export type { WorkerLog } from './log.js';
export {
  isPluginRunner,
  MAX_PLUGIN_OUTPUT_BYTES,
  type PluginRunContext,
  type PluginRunner,
  type PluginRunResult,
  type PluginTest,
  pluginResult,
  runPlugin,
} from './plugin-runner.js';
export { type RunnerTable, type RunWithRunner, runByKind } from './runner-table.js';
export {
  DEFAULT_DRAIN_ACK_TIMEOUT_MS,
  DEFAULT_DRAIN_GRACE_MS,
  type SessionObserver,
  type WorkerIdentity,
  WorkerSession,
  type WorkerSessionOptions,
} from './session.js';
export {
  DEFAULT_SESSION_CACHE_LIMITS,
  type Releasable,
  SessionCache,
  type SessionCacheLimits,
} from './session-cache.js';
export { runStage, type StageRuntime, type StageSession } from './stage-run.js';
export { type StageUploadTarget, uploadStageOutput } from './stage-upload.js';
export type { RunAssignment } from './task-pool.js';
export type { TaskRunner } from './task-runner.js';
export { type TimedRuns, timedRuns } from './timed-runs.js';
export { unsharedBytes } from './unshared-bytes.js';
export { newWorkerId } from './worker-id.js';
