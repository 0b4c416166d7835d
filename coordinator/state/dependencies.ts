import { TERMINAL_STATES } from '../../protocol/index.js';
import { closeTask, endTask } from './attempts.js';
import type { StateEvent } from './events.js';
import { enqueue } from './queueing.js';
import type { CoordinatorState, TaskRecord } from './types.js';

/** Why a task can never run because of its parents, or undefined while it still may. */
function blockedBy(state: CoordinatorState, task: TaskRecord): string | undefined {
  for (const parentId of task.spec.dependsOn ?? []) {
    const parent = state.tasks.get(parentId);
    if (parent === undefined) return `dependency ${parentId} is unknown`;
    if (parent.state !== 'succeeded' && TERMINAL_STATES.has(parent.state)) {
      return `dependency ${parentId} ended ${parent.state}`;
    }
  }
  return undefined;
}

function unmetParents(state: CoordinatorState, task: TaskRecord): number {
  let unmet = 0;
  for (const parentId of task.spec.dependsOn ?? []) {
    if (state.tasks.get(parentId)?.state !== 'succeeded') unmet++;
  }
  return unmet;
}

/**
 * Queues a task just submitted or loaded: it waits for the parents that have not succeeded
 * yet, or is skipped at once when one of them can no longer succeed.
 */
export function queueWithParents(
  state: CoordinatorState,
  task: TaskRecord,
  now: number,
): StateEvent[] {
  if (task.spec.dependsOn !== undefined) {
    const reason = blockedBy(state, task);
    if (reason !== undefined) return endTask(state, task, now, 'skipped', { reason });
    task.waitingOn = unmetParents(state, task);
  }
  enqueue(state, task, now);
  return [];
}

/** The dependents of one ended task still to be looked at, from `next` on. */
interface Settling {
  parent: TaskRecord;
  children: TaskRecord[];
  next: number;
}

/**
 * After `ended` ended: its dependents come one step closer to running, or are skipped, and so
 * on down: the skips are appended to `events` depth first, each after the ending of the parent
 * it names. A worklist, not recursion: a chain may be as long as the tasks submitted.
 */
export function settleDependents(
  state: CoordinatorState,
  ended: TaskRecord,
  now: number,
  events: StateEvent[],
): void {
  const pending: Settling[] = [];
  const lookAtChildren = (parent: TaskRecord): void => {
    const children = state.dependents.get(parent.id);
    if (children === undefined) return;
    state.dependents.delete(parent.id);
    pending.push({ parent, children, next: 0 });
  };
  lookAtChildren(ended);
  while (pending.length > 0) {
    const settling = pending[pending.length - 1]!;
    const { parent, children } = settling;
    if (settling.next === children.length) {
      pending.pop();
      continue;
    }
    const child = children[settling.next++]!;
    if (child.state !== 'queued') continue;
    if (parent.state === 'succeeded') {
      child.waitingOn--;
      if (child.waitingOn === 0) enqueue(state, child, now);
      continue;
    }
    const reason = `dependency ${parent.id} ended ${parent.state}`;
    events.push(closeTask(state, child, now, 'skipped', { reason })!);
    lookAtChildren(child);
  }
}

/** Queues a task read back from disk; its parents are all loaded, their outcomes settled. */
export function queueLoadedTask(state: CoordinatorState, task: TaskRecord, now: number): void {
  task.waitingOn = unmetParents(state, task);
  enqueue(state, task, now);
}
