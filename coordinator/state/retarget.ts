import { type Requirements, type TaskSpec, TERMINAL_STATES } from '../../protocol/index.js';
// biome-ignore lint/style/noRestrictedImports: scheduler/index.ts imports state/; the one pure matcher state/ needs is taken from its file, so that the two indexes import no cycle
import { fitsRequirements } from '../scheduler/match.js';
import { leaseRevoked, returnAttempt } from './attempts.js';
import type { Command } from './commands.js';
import { appendEvents, type StateEvent } from './events.js';
import { enqueue } from './queueing.js';
import type { CoordinatorState, TaskRecord } from './types.js';

/**
 * Gives each named task that has not ended the new requirements (see `RetargetTasks`). A
 * queued task is placeable under them at once, a retry backoff ended; one waiting for its
 * parents takes them when they succeed. Unknown and ended tasks are left alone.
 */
export function retargetTasks(
  state: CoordinatorState,
  command: Extract<Command, { type: 'RetargetTasks' }>,
): StateEvent[] {
  const { now, requirements, revokeRunning } = command;
  const events: StateEvent[] = [];
  for (const id of new Set(command.taskIds)) {
    const task = state.tasks.get(id);
    if (task === undefined || TERMINAL_STATES.has(task.state)) continue;
    if (command.owner !== undefined && task.owner !== command.owner) continue;
    replaceRequirements(state, task, requirements, now);
    const ruledOut = revokeRunning ? ruledOutWorker(state, task) : undefined;
    events.push({ type: 'TaskRetargeted', task, revoked: ruledOut !== undefined });
    if (ruledOut !== undefined) {
      const reason = `retargeted: its new requirements rule out worker ${ruledOut}`;
      appendEvents(events, [
        leaseRevoked(task, reason),
        ...returnAttempt(state, task, now, reason),
      ]);
    }
  }
  return events;
}

function replaceRequirements(
  state: CoordinatorState,
  task: TaskRecord,
  requirements: Requirements,
  now: number,
): void {
  task.submittedRequirements ??= task.spec.requirements;
  const queued = task.placeable || task.notBefore !== undefined;
  if (task.placeable) {
    state.ready.remove(task);
    // The entry left in the old class's queue must not count as live there.
    task.queueEpoch++;
  }
  // A spec object is shared and never changed (see `classKeyOf`): the task gets a new one.
  task.spec = { ...task.spec, requirements };
  if (queued) {
    // Sent elsewhere on purpose: a retry backoff ends too (its entry is stale without it).
    delete task.notBefore;
    enqueue(state, task, now);
  }
}

/** The worker of the task's live attempt (its name) when its requirements no longer allow it. */
function ruledOutWorker(state: CoordinatorState, task: TaskRecord): string | undefined {
  const { workerId } = task;
  if (workerId === undefined || (task.state !== 'assigned' && task.state !== 'running')) {
    return undefined;
  }
  const worker = state.workers.get(workerId);
  if (worker === undefined) return workerId;
  return fitsRequirements(worker, task.spec.kind, task.spec.requirements) ? undefined : worker.name;
}

/** The task's spec as it was submitted, whatever retargets did to its requirements since. */
export function submittedSpec(task: TaskRecord): TaskSpec {
  const { submittedRequirements } = task;
  return submittedRequirements === undefined
    ? task.spec
    : { ...task.spec, requirements: submittedRequirements };
}
