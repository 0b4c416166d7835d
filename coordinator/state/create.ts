import { ReadyQueue } from './ready-queue.js';
import type { CoordinatorState, StateConfig, TaskRecord } from './types.js';

export function createState(config: StateConfig): CoordinatorState {
  return {
    config,
    tasks: new Map(),
    workers: new Map(),
    byGroup: new Map(),
    byIdempotencyKey: new Map(),
    ready: new ReadyQueue(),
    nextSeq: 1,
    lastLeaseToken: 0,
    workersVersion: 0,
  };
}

/** Indexes a task that is already in its final shape (on submit, or when loaded from disk). */
export function indexTask(state: CoordinatorState, task: TaskRecord): void {
  state.tasks.set(task.id, task);
  const { group, idempotencyKey } = task.spec;
  if (group !== undefined) {
    const members = state.byGroup.get(group);
    if (members === undefined) state.byGroup.set(group, [task]);
    else members.push(task);
  }
  if (idempotencyKey !== undefined) state.byIdempotencyKey.set(idempotencyKey, task.id);
  if (task.seq >= state.nextSeq) state.nextSeq = task.seq + 1;
  if (task.leaseToken > state.lastLeaseToken) state.lastLeaseToken = task.leaseToken;
  if (task.state === 'queued') state.ready.add(task);
}
