import {
  GENESIS_HASH,
  OWN_ADMIN_KEY,
  type TaskState,
  TERMINAL_STATES,
  zeroStateCounts,
} from '../../protocol/index.js';
import { DelayedQueue } from './delayed-queue.js';
import { ReadyQueue } from './ready-queue.js';
import type { CoordinatorState, StateConfig, TaskRecord } from './types.js';

export function createState(config: StateConfig): CoordinatorState {
  return {
    config,
    tasks: new Map(),
    workers: new Map(),
    byGroup: new Map(),
    byIdempotencyKey: new Map(),
    dependents: new Map(),
    ready: new ReadyQueue(),
    delayed: new DelayedQueue(),
    nextSeq: 1,
    lastLeaseToken: 0,
    clock: 0,
    durations: new Map(),
    stageSpeeds: new Map(),
    groupPass: new Map(),
    passFloor: 0,
    runningByPriority: new Map(),
    workersVersion: 0,
    taskCounts: zeroStateCounts(),
    runs: new Map(),
    quarantine: new Map(),
    webhooks: new Map(),
    keys: new Map(),
    deliveries: new Map(),
    unfinishedByOwner: new Map(),
    auditHead: { seq: 0, hash: GENESIS_HASH },
  };
}

/**
 * Indexes a task that is already in its final shape (on submit, or when loaded from disk).
 * A queued task is not queued for placement here: see `enqueue`, which needs its parents.
 */
export function indexTask(state: CoordinatorState, task: TaskRecord): void {
  state.tasks.set(task.id, task);
  state.taskCounts[task.state]++;
  if (!TERMINAL_STATES.has(task.state)) countUnfinished(state, task, 1);
  const { group, idempotencyKey, dependsOn } = task.spec;
  if (group !== undefined) {
    const members = state.byGroup.get(group);
    if (members === undefined) state.byGroup.set(group, [task]);
    else members.push(task);
  }
  if (idempotencyKey !== undefined) state.byIdempotencyKey.set(idempotencyKey, task.id);
  if (dependsOn !== undefined && !TERMINAL_STATES.has(task.state)) {
    for (const parentId of dependsOn) {
      const dependents = state.dependents.get(parentId);
      if (dependents === undefined) state.dependents.set(parentId, [task]);
      else dependents.push(task);
    }
  }
  if (task.seq >= state.nextSeq) state.nextSeq = task.seq + 1;
  if (task.leaseToken > state.lastLeaseToken) state.lastLeaseToken = task.leaseToken;
}

/** Keeps `runningByPriority` in step as a lease is taken (+1) or let go (-1). */
export function countRunning(state: CoordinatorState, task: TaskRecord, delta: 1 | -1): void {
  const { priority } = task.spec;
  const count = (state.runningByPriority.get(priority) ?? 0) + delta;
  if (count === 0) state.runningByPriority.delete(priority);
  else state.runningByPriority.set(priority, count);
}

/** Moves a task to `next`, keeping `taskCounts` in step: the one way a task's state changes. */
export function setTaskState(state: CoordinatorState, task: TaskRecord, next: TaskState): void {
  state.taskCounts[task.state]--;
  state.taskCounts[next]++;
  const ends = TERMINAL_STATES.has(next);
  if (ends !== TERMINAL_STATES.has(task.state)) countUnfinished(state, task, ends ? -1 : 1);
  task.state = next;
}

function countUnfinished(state: CoordinatorState, task: TaskRecord, delta: 1 | -1): void {
  const owner = task.owner ?? OWN_ADMIN_KEY;
  const count = (state.unfinishedByOwner.get(owner) ?? 0) + delta;
  if (count === 0) state.unfinishedByOwner.delete(owner);
  else state.unfinishedByOwner.set(owner, count);
}

/** The known tasks a selector names: a group's, or those of the ids given (unknown ids left out). */
export function selectedTasks(
  state: CoordinatorState,
  selector: { taskIds?: readonly string[] | undefined; group?: string | undefined },
): readonly TaskRecord[] {
  return selector.group !== undefined
    ? (state.byGroup.get(selector.group) ?? [])
    : (selector.taskIds ?? []).flatMap((id) => state.tasks.get(id) ?? []);
}
