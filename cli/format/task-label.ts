import type { TaskSpec } from '../../protocol/index.js';

/** A task as messages name it: `train (0199…)`, or what identifies it alone when it has no name. */
export function taskLabel(name: string | undefined, ref: string): string {
  return name === undefined ? ref : `${name} (${ref})`;
}

/** A suite's task as error messages name it: `task 'login' (tasks[2])`, or `tasks[2]`. */
export function suiteTaskLabel(task: TaskSpec, index: number): string {
  return taskLabel(task.name === undefined ? undefined : `task '${task.name}'`, `tasks[${index}]`);
}
