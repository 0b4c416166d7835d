/**
 * A linearizability checker in the Wing & Gong / porcupine style for recorded client
 * histories, with models for DTF's task queue and a key-value register store.
 *
 *     const recorder = new HistoryRecorder<TaskQueueInput, TaskQueueOutput>();
 *     // around every client request of the chaos test:
 *     const call = recorder.invoke('client-1', { op: 'submit', taskId: key });
 *     await submit(...);           // on an ambiguous failure, leave the call open
 *     call.respond('ok');
 *     // at the end:
 *     const result = checkLinearizability(taskQueueModel, recorder.history());
 *     expect(result.ok, result.verdict === 'violation' ? result.explanation.message : '').toBe(true);
 *
 * Files: types (the shapes), check (the entry point: partitions and budget), search (the
 * backtracking search), events (the call/return lists), cache (memoized configurations),
 * bitset, hash, explain (violation messages), partition (`partitionBy`), recorder, and
 * models/ (task queue, key-value).
 */
export { checkLinearizability } from './check.js';
export { describeOperation } from './explain.js';
export type { KvInput, KvOutput, KvState, KvValue } from './models/kv.js';
export { kvModel } from './models/kv.js';
export type {
  LiveTaskState,
  TaskPhase,
  TaskQueueInput,
  TaskQueueOutput,
  TaskQueueState,
  TaskRead,
} from './models/task-queue.js';
export { taskQueueModel } from './models/task-queue.js';
export { partitionBy } from './partition.js';
export type { PendingCall } from './recorder.js';
export { HistoryRecorder } from './recorder.js';
export type {
  CheckOptions,
  CheckResult,
  CheckStats,
  Explanation,
  History,
  Model,
  Operation,
  StepResult,
  UnplacedOperation,
} from './types.js';
