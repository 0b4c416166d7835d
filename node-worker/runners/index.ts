import type { Assignment, TaskKind, TaskResult } from '../../protocol/index.js';
import { commandRunner } from './command.js';
import type { RunnerTable, TaskRunner } from './runner.js';
import { vitestRunner } from './vitest.js';

const runners: RunnerTable = { command: commandRunner, vitest: vitestRunner };

/** The task kinds this worker has a runner for. */
export const RUNNABLE_KINDS = Object.keys(runners) as TaskKind[];

/** Runs an assignment with the runner for its kind. */
export function runAssignment(assignment: Assignment, signal: AbortSignal): Promise<TaskResult> {
  // RunnerTable pairs each kind with its runner; TypeScript cannot follow that through an index.
  const runner = runners[assignment.kind] as TaskRunner;
  return runner.run(assignment, signal);
}
