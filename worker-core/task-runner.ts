import type { Assignment, TaskResult } from '../protocol/index.js';

/**
 * Runs one kind of task. `run` never throws for a failure of the task itself; it reports it in
 * the result. When `signal` aborts, the runner stops its work before settling, and the caller
 * ignores the result.
 */
export interface TaskRunner<A extends Assignment = Assignment> {
  run(assignment: A, signal: AbortSignal): Promise<TaskResult>;
}
