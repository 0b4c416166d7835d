import {
  type LeaseRef,
  type TaskResult,
  type TaskState,
  TERMINAL_STATES,
} from '../../protocol/index.js';
import { countRunning, setTaskState } from './create.js';
import { settleDependents } from './dependencies.js';
import { noteDuration } from './durations.js';
import type { StateEvent } from './events.js';
import { enqueue } from './queueing.js';
import { noteStageSpeed } from './stage-speeds.js';
import type { CoordinatorState, TaskRecord } from './types.js';
import { taskEvent } from './view.js';

const MAX_TIMEOUT_MS = 7 * 24 * 3_600_000;

export function holdsLease(task: TaskRecord, workerId: string, lease: LeaseRef): boolean {
  return (
    (task.state === 'assigned' || task.state === 'running') &&
    task.workerId === workerId &&
    task.attempt === lease.attempt &&
    task.leaseToken === lease.leaseToken
  );
}

/** The task whose live attempt `lease` is, if it still is. */
export function liveAttempt(state: CoordinatorState, lease: LeaseRef): TaskRecord | undefined {
  const task = state.tasks.get(lease.taskId);
  if (task?.workerId === undefined || !holdsLease(task, task.workerId, lease)) return undefined;
  return task;
}

/** Tells the worker running the task's attempt to stop it. */
export function leaseRevoked(
  task: TaskRecord,
  reason: string,
): Extract<StateEvent, { type: 'LeaseRevoked' }> {
  return {
    type: 'LeaseRevoked',
    workerId: task.workerId!,
    taskId: task.id,
    attempt: task.attempt,
    reason,
  };
}

export function releaseLease(state: CoordinatorState, task: TaskRecord): void {
  if (task.workerId === undefined) return;
  if (state.workers.get(task.workerId)?.running.delete(task.id)) countRunning(state, task, -1);
}

/** The timeout of the task's current (or next) attempt: longer after each charged failure. */
export function attemptTimeoutMs(task: TaskRecord): number {
  const { timeoutMs, retry } = task.spec;
  return Math.min(MAX_TIMEOUT_MS, Math.round(timeoutMs * retry.timeoutMultiplier ** task.failures));
}

/** Whether a result ends the task or is a failure its retry policy retries. */
export function isRetriedFailure(task: TaskRecord, result: TaskResult): boolean {
  switch (result.status) {
    case 'timed_out':
      return true;
    case 'failed':
      return result.failureKind === 'infrastructure' || task.spec.retry.retryFailures;
    case 'succeeded':
    case 'unsupported':
      return false;
  }
}

type EndState = Exclude<TaskState, 'queued' | 'assigned' | 'running'>;

interface Ending {
  result?: TaskResult;
  reason?: string;
  /** The worker still running the attempt, to be told to stop it. */
  abortOnWorker?: string;
}

/** Ends a task for good, then settles the tasks that depend on it (see `settleDependents`). */
export function endTask(
  state: CoordinatorState,
  task: TaskRecord,
  now: number,
  endState: EndState,
  ending: Ending = {},
): StateEvent[] {
  const ended = closeTask(state, task, now, endState, ending);
  if (ended === undefined) return [];
  const events: StateEvent[] = [ended];
  settleDependents(state, task, now, events);
  return events;
}

/** Ends a task for good, its dependents left as they are; undefined if it had already ended. */
export function closeTask(
  state: CoordinatorState,
  task: TaskRecord,
  now: number,
  endState: EndState,
  ending: Ending = {},
): StateEvent | undefined {
  if (TERMINAL_STATES.has(task.state)) return undefined;
  state.ready.remove(task);
  releaseLease(state, task);
  setTaskState(state, task, endState);
  task.finishedAt = now;
  delete task.notBefore;
  if (ending.result !== undefined) task.result = ending.result;
  noteDuration(state, task);
  noteStageSpeed(state, task);
  const ended: StateEvent = {
    type: 'TaskEnded',
    task,
    update: taskEvent(task, now, ending.reason),
  };
  if (ending.reason !== undefined) ended.reason = ending.reason;
  if (ending.abortOnWorker !== undefined) ended.abortOnWorker = ending.abortOnWorker;
  return ended;
}

/**
 * The current attempt failed in a way that is retried (worker lost, timed out, could not run):
 * charged to the retries, then queued again after the backoff, or, past `maxRetries`, failed
 * for good with the history of its attempts.
 */
export function failAttempt(
  state: CoordinatorState,
  task: TaskRecord,
  now: number,
  reason: string,
  result?: TaskResult,
): StateEvent[] {
  releaseLease(state, task);
  task.failures++;
  task.history.push({ attempt: task.attempt, workerId: task.workerId ?? null, reason, at: now });
  const { maxRetries, delayMs, backoffFactor } = task.spec.retry;
  if (task.failures > maxRetries) {
    // Dead letter: `timed_out` if the last attempt timed out, `failed` otherwise.
    const status = result?.status === 'timed_out' ? 'timed_out' : 'failed';
    const attempts = task.attempt === 1 ? '1 attempt' : `${task.attempt} attempts`;
    const error = `gave up after ${attempts}; last: ${reason}`;
    const final: TaskResult = { ...(result ?? { durationMs: 0 }), status, error };
    return endTask(state, task, now, status, { result: final, reason: error });
  }
  requeue(state, task, now, now + delayMs * backoffFactor ** (task.failures - 1));
  return [{ type: 'TaskRequeued', task, reason, update: taskEvent(task, now, reason) }];
}

/**
 * The current attempt was handed back through no fault of the task (preempted, or its worker
 * drained): queued again at once, not charged to the retries.
 */
export function returnAttempt(
  state: CoordinatorState,
  task: TaskRecord,
  now: number,
  reason: string,
): StateEvent[] {
  releaseLease(state, task);
  task.history.push({
    attempt: task.attempt,
    workerId: task.workerId ?? null,
    reason,
    at: now,
    charged: false,
  });
  requeue(state, task, now, now);
  return [{ type: 'TaskRequeued', task, reason, update: taskEvent(task, now, reason) }];
}

function requeue(state: CoordinatorState, task: TaskRecord, now: number, notBefore: number): void {
  setTaskState(state, task, 'queued');
  task.queueEpoch++;
  delete task.workerId;
  delete task.assignedAt;
  delete task.startedAt;
  if (notBefore > now) task.notBefore = notBefore;
  else delete task.notBefore;
  enqueue(state, task, now);
}
