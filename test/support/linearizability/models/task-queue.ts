import { hashString, mix32 } from '../hash.js';
import { partitionBy } from '../partition.js';
import type { Model } from '../types.js';

/**
 * DTF's task queue as its clients see it, one small register-like state per task:
 *
 *     none ──submit──▶ submitted ──complete (recorded)──▶ completed(attempt, result)
 *
 * Operations (the history is checked per task id):
 *
 * - `submit(taskId)` → `'ok'`: the task is known (queued) from then on. Submitting a known
 *   task again is an idempotent no-op that also answers `'ok'`. Use the client's idempotency
 *   key as `taskId`, so a submit that never got an answer can still be matched with later
 *   reads; record a submit that failed ambiguously (timeout, connection reset) as never
 *   returned.
 * - `complete(taskId, attempt, result)` → `'recorded'` when the coordinator recorded it as the
 *   task's final result, `'rejected'` when it refused it (stale attempt or lease, unknown
 *   task). `result` is a canonical string of the outcome (e.g. `succeeded`, or a status plus
 *   a digest of the output), the same string the recorder gives reads. Only final results
 *   are completes: a failed attempt that is retried is not; a cancelled task is a complete
 *   with result `cancelled`.
 * - `read(taskId)` → what a client saw: `{ state: 'unknown' }` (404), a live state
 *   (`queued`/`assigned`/`running`: all the same here, since a retried task goes back to
 *   queued), or `{ state: 'done', attempt, result }` for a terminal task.
 *
 * What a linearizable history therefore guarantees, and a violation means broken:
 *
 * - An acknowledged submit is never lost: a read called after the submit returned never
 *   answers `unknown`, and a result is never recorded for a task that was never submitted.
 * - A result is recorded at most once and never changes: once `complete(a, r)` is recorded,
 *   another complete may be recorded only with the same attempt and result (a replay of the
 *   same report, as after a failover); a different one is a violation, and reads see exactly
 *   `(a, r)` from then on.
 * - Reads never go back in time: after a read saw the task (live or done), no later read
 *   answers `unknown`; after a read (or a recorded complete) saw it done, no later read sees
 *   it live; and every read sees a state that some linearization point of the writes allows,
 *   so two clients never see a task's history in different orders.
 *
 * An operation that never returned (client killed, connection reset mid-request) may or may
 * not have taken effect: a lost submit may have queued the task, a lost complete may have
 * been recorded (or refused, which is the same as not happening); lost reads are ignored.
 *
 * It does not check progress (that every task eventually completes: the chaos test counts
 * that) nor which live state a task is in. The state is a map from task id, so the model is
 * right on a whole history too; partitioning per task id only makes the check fast.
 */
export type LiveTaskState = 'queued' | 'assigned' | 'running';

export type TaskRead =
  | { readonly state: 'unknown' }
  | { readonly state: LiveTaskState }
  | { readonly state: 'done'; readonly attempt: number; readonly result: string };

export type TaskQueueInput =
  | { readonly op: 'submit'; readonly taskId: string }
  | {
      readonly op: 'complete';
      readonly taskId: string;
      readonly attempt: number;
      readonly result: string;
    }
  | { readonly op: 'read'; readonly taskId: string };

/** `submit` → `'ok'`; `complete` → `'recorded'` | `'rejected'`; `read` → a `TaskRead`. */
export type TaskQueueOutput = 'ok' | 'recorded' | 'rejected' | TaskRead;

/** One task's state. */
export type TaskPhase =
  | { readonly phase: 'none' }
  | { readonly phase: 'submitted' }
  | { readonly phase: 'completed'; readonly attempt: number; readonly result: string };

/** Task id → its phase; a task that is absent is in phase `none`. */
export type TaskQueueState = Readonly<Record<string, TaskPhase>>;

const NONE: TaskPhase = { phase: 'none' };
const SUBMITTED: TaskPhase = { phase: 'submitted' };
const LIVE: ReadonlySet<string> = new Set(['queued', 'assigned', 'running']);

function phaseKey(task: TaskPhase): string {
  return task.phase === 'completed'
    ? `completed(${task.attempt}, ${JSON.stringify(task.result)})`
    : task.phase;
}

function phaseOf(state: TaskQueueState, taskId: string): TaskPhase {
  return Object.hasOwn(state, taskId) ? state[taskId]! : NONE;
}

function readFits(task: TaskPhase, read: TaskQueueOutput): boolean {
  if (typeof read !== 'object') return false;
  if (read.state === 'unknown') return task.phase === 'none';
  if (read.state === 'done') {
    return (
      task.phase === 'completed' && task.attempt === read.attempt && task.result === read.result
    );
  }
  return LIVE.has(read.state) && task.phase === 'submitted';
}

/** Whether a task in phase `task` answers `output` to `input`, and its phase after. */
function stepTask(
  task: TaskPhase,
  input: TaskQueueInput,
  output: TaskQueueOutput | undefined,
): { ok: boolean; task: TaskPhase } {
  switch (input.op) {
    case 'submit':
      return {
        ok: output === undefined || output === 'ok',
        task: task.phase === 'none' ? SUBMITTED : task,
      };
    case 'complete': {
      if (output === 'rejected') return { ok: true, task };
      // Recorded, or (never returned) taking effect if it can; if it was rejected instead,
      // it had no effect, which is the same as leaving it out.
      if (output !== undefined && output !== 'recorded') return { ok: false, task };
      if (task.phase === 'none') return { ok: false, task };
      if (task.phase === 'submitted') {
        return {
          ok: true,
          task: { phase: 'completed', attempt: input.attempt, result: input.result },
        };
      }
      return { ok: task.attempt === input.attempt && task.result === input.result, task };
    }
    case 'read':
      return { ok: output === undefined || readFits(task, output), task };
  }
}

function describeState(state: TaskQueueState): string {
  const ids = Object.keys(state).sort();
  if (ids.length === 0) return 'none';
  if (ids.length === 1) return phaseKey(state[ids[0]!]!);
  return `{${ids.map((id) => `${id}: ${phaseKey(state[id]!)}`).join(', ')}}`;
}

export const taskQueueModel: Model<TaskQueueState, TaskQueueInput, TaskQueueOutput> = {
  init: () => ({}),
  step(state, input, output) {
    const before = phaseOf(state, input.taskId);
    const { ok, task } = stepTask(before, input, output);
    return { ok, state: task === before ? state : { ...state, [input.taskId]: task } };
  },
  partition: partitionBy((input) => input.taskId),
  hash(state) {
    // A sum over the tasks: independent of their order, no sorting.
    let sum = 0;
    for (const id in state)
      sum = (sum + mix32(hashString(id) ^ hashString(phaseKey(state[id]!)))) | 0;
    return sum;
  },
  equal(a, b) {
    let count = 0;
    for (const id in a) {
      if (!Object.hasOwn(b, id) || phaseKey(a[id]!) !== phaseKey(b[id]!)) return false;
      count++;
    }
    for (const _ in b) count--;
    return count === 0;
  },
  readOnly: (input, output) =>
    input.op === 'read' || (input.op === 'complete' && output === 'rejected'),
  describe(input, output) {
    const out =
      output === undefined ? '?' : typeof output === 'string' ? output : describeRead(output);
    switch (input.op) {
      case 'submit':
        return `submit(${input.taskId}) → ${out}`;
      case 'complete':
        return `complete(${input.taskId}, attempt ${input.attempt}, ${JSON.stringify(input.result)}) → ${out}`;
      case 'read':
        return `read(${input.taskId}) → ${out}`;
    }
  },
  describeState,
};

function describeRead(read: TaskRead): string {
  return read.state === 'done'
    ? `done(attempt ${read.attempt}, ${JSON.stringify(read.result)})`
    : read.state;
}
