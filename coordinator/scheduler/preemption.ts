import type { CoordinatorState, Placement, TaskRecord } from '../state/index.js';
import type { ClassCursor, RoundPasses } from './candidates.js';
import { takesNewTasks } from './eligibility.js';
import type { PlacementHooks } from './hooks.js';
import { matchingWorkers } from './matching-workers.js';

/** Preemptions per scheduling round at most, so one round stays short. */
const MAX_PREEMPTIONS_PER_ROUND = 64;

function lowestRunningPriority(state: CoordinatorState): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const [priority, count] of state.runningByPriority) {
    if (count > 0 && priority < lowest) lowest = priority;
  }
  return lowest;
}

/**
 * The running task to stop for a task of `priority` that has no slot: on a worker that can
 * run the waiting task, the lowest priority below it, the most recently started among those
 * (the least work lost).
 */
function victimFor(
  state: CoordinatorState,
  cursor: ClassCursor,
  waiting: TaskRecord,
  taken: ReadonlySet<string>,
  hooks: PlacementHooks | undefined,
): TaskRecord | undefined {
  const priority = waiting.spec.priority;
  let victim: TaskRecord | undefined;
  for (const workerId of matchingWorkers(state, cursor.cls)) {
    const worker = state.workers.get(workerId)!;
    if (!takesNewTasks(state, worker)) continue;
    if (hooks !== undefined && !hooks.allows(waiting, worker, 0)) continue;
    for (const taskId of worker.running) {
      const task = state.tasks.get(taskId)!;
      if (task.spec.priority >= priority || taken.has(taskId)) continue;
      if (
        victim === undefined ||
        task.spec.priority < victim.spec.priority ||
        (task.spec.priority === victim.spec.priority &&
          (task.assignedAt ?? 0) > (victim.assignedAt ?? 0))
      ) {
        victim = task;
      }
    }
  }
  return victim;
}

/**
 * Placements that first stop a lower-priority running task, for tasks that found no free
 * slot, on workers the plugins' hooks allow. Priorities compare as submitted (without aging), so two tasks never take turns
 * preempting each other; the stopped task is queued again without being charged a retry.
 */
export function preemptions(
  state: CoordinatorState,
  blocked: readonly ClassCursor[],
  passes: RoundPasses,
  hooks: PlacementHooks | undefined,
): Placement[] {
  if (blocked.length === 0) return [];
  const lowest = lowestRunningPriority(state);
  const taken = new Set<string>();
  const placements: Placement[] = [];
  for (const cursor of blocked) {
    // Stopping one task frees one slot: a task of several waits for them to free.
    if ((cursor.cls.requirements.slots ?? 1) > 1) continue;
    while (placements.length < MAX_PREEMPTIONS_PER_ROUND) {
      const candidate = cursor.best(passes);
      if (candidate === undefined) break;
      const { task } = candidate.entry;
      if (task.spec.priority <= lowest) break;
      const victim = victimFor(state, cursor, task, taken, hooks);
      if (victim === undefined) break;
      taken.add(victim.id);
      placements.push({
        taskId: task.id,
        workerId: victim.workerId!,
        preempts: { taskId: victim.id, attempt: victim.attempt, leaseToken: victim.leaseToken },
      });
      passes.charge(candidate.cursor.group);
      cursor.skip(candidate);
    }
  }
  return placements;
}
