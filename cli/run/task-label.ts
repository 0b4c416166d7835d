import type { TaskSpec } from '../../protocol/index.js';

/** A suite's task as error messages name it: `task 'login' (tasks[2])`, or `tasks[2]`. */
export function taskLabel(task: TaskSpec, index: number): string {
  return task.name === undefined ? `tasks[${index}]` : `task '${task.name}' (tasks[${index}])`;
}
