import type { TaskView } from '../../protocol/index.js';
import { formatDuration } from './duration.js';
import { taskLabel } from './task-label.js';

/** How many unfinished tasks a timeout message names. */
export const MAX_NAMED_PENDING = 10;

function describePending(task: TaskView): string {
  const why = task.unschedulable ?? (task.waitingOn !== undefined ? 'waiting on dependencies' : '');
  const state = task.state === 'queued' ? 'queued' : `${task.state}, attempt ${task.attempt}`;
  return `  ${taskLabel(task.name, task.id)}: ${state}${why === '' ? '' : `; ${why}`}`;
}

/**
 * Why a wait gave up: how long it waited, how many of the tasks had not ended, and the first
 * of them (`named`, looked up from the coordinator) with their state and why they wait.
 */
export function formatTimeout(
  timeoutMs: number,
  pending: number,
  total: number,
  named: readonly TaskView[],
): string {
  const head = `timed out after ${formatDuration(timeoutMs)} with ${pending} of ${total} task(s) not ended`;
  if (named.length === 0) return head;
  const more = pending - named.length;
  return [
    `${head}:`,
    ...named.map(describePending),
    ...(more > 0 ? [`  … and ${more} more`] : []),
  ].join('\n');
}
