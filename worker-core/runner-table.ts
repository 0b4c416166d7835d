import type { Assignment, TaskResult } from '../protocol/index.js';
import type { RunAssignment } from './task-pool.js';
import type { TaskRunner } from './task-runner.js';

/** A worker's runners: one for each task kind it runs, taking that kind's assignments. */
export type RunnerTable<Kind extends Assignment['kind']> = {
  [K in Kind]: TaskRunner<Extract<Assignment, { kind: K }>>;
};

/** How a worker runs an assignment with the runner of its kind (the page adds a timeout). */
export type RunWithRunner = (
  runner: TaskRunner,
  assignment: Assignment,
  signal: AbortSignal,
) => Promise<TaskResult>;

const runPlainly: RunWithRunner = (runner, assignment, signal) => runner.run(assignment, signal);

/**
 * Runs each assignment with the runner for its kind in `runners`, through `run`; a kind the
 * table lacks is answered `unsupported`, naming `worker` ("a Node worker") and the kind.
 */
export function runByKind<Kind extends Assignment['kind']>(
  worker: string,
  runners: RunnerTable<Kind>,
  run: RunWithRunner = runPlainly,
): RunAssignment {
  return (assignment, signal) => {
    if (!(assignment.kind in runners)) {
      const error = `${worker} has no runner for task kind '${assignment.kind}'`;
      return Promise.resolve({ status: 'unsupported', durationMs: 0, error });
    }
    // RunnerTable pairs each kind with its runner; TypeScript cannot follow that through an index.
    const runner = runners[assignment.kind as Kind] as TaskRunner;
    return run(runner, assignment, signal);
  };
}
