export { calibrationGroup, unmeasuredPairs } from './calibrate.js';
export { stageCandidates } from './candidates.js';
export { microBatchInputs } from './micro-batch-input.js';
export { type PreparedModel, prepareModel } from './prepare-model.js';
export type { RecoveryStrategy } from './recovery.js';
export type { PipelineFigures } from './run-report.js';
export { type RecoveryRecord, ShardedRun, type ShardedRunResult } from './sharded-run.js';
