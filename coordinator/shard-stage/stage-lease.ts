import { type ErrorCode, type LeaseRef, TERMINAL_STATES } from '../../protocol/index.js';
import type { CoordinatorState, TaskRecord } from '../state/index.js';

type StageTask = TaskRecord & { spec: { kind: 'shard-stage' } };

/**
 * The shard-stage task whose live attempt `workerId` holds under `lease`, or why it does not:
 * only that worker may commit outputs for the attempt, whichever way they come.
 */
export function heldStageLease(
  state: CoordinatorState,
  workerId: string,
  { taskId, attempt, leaseToken }: LeaseRef,
): { task: StageTask } | { code: ErrorCode; message: string } {
  const task = state.tasks.get(taskId);
  if (task === undefined) return { code: 'not_found', message: `no task '${taskId}'` };
  if (task.spec.kind !== 'shard-stage') {
    return {
      code: 'invalid_message',
      message: `task ${taskId} is a ${task.spec.kind} task: only shard-stage tasks have outputs to commit`,
    };
  }
  if (TERMINAL_STATES.has(task.state)) {
    return {
      code: 'conflict',
      message: `task ${taskId} already ${task.state}: it takes no more outputs`,
    };
  }
  if (task.state === 'queued' || attempt !== task.attempt) {
    const live = task.state === 'queued' ? 'none (the task is queued)' : `attempt ${task.attempt}`;
    return {
      code: 'conflict',
      message: `attempt ${attempt} of task ${taskId} is not the live one (the live attempt is ${live})`,
    };
  }
  if (task.workerId !== workerId) {
    return {
      code: 'forbidden',
      message: `attempt ${attempt} of task ${taskId} is leased to worker '${task.workerId}', not '${workerId}'`,
    };
  }
  if (leaseToken !== task.leaseToken) {
    return {
      code: 'forbidden',
      message: `lease token ${leaseToken} is not the lease of attempt ${attempt} of task ${taskId}`,
    };
  }
  return { task: task as StageTask };
}
