import type { Assignment, TaskResult } from '../../protocol/index.js';
import type { TaskRunner } from '../../worker-core/index.js';
import { checkCommand, type TaskLimits } from '../task-limits.js';
import { type ProcessOutcome, runProcess } from './run-process.js';

/** A task result that says how the process ended. */
export function resultOfProcess(outcome: ProcessOutcome, timeoutMs: number): TaskResult {
  const { durationMs } = outcome;
  switch (outcome.ending) {
    case 'spawn_failed':
      // Another worker may have the program: not the test's fault, so it is retried.
      return { status: 'failed', durationMs, error: outcome.error, failureKind: 'infrastructure' };
    case 'aborted':
      return { status: 'failed', durationMs, error: 'aborted' };
    case 'timed_out':
      return {
        status: 'timed_out',
        durationMs,
        error: `timed out after ${timeoutMs} ms; process tree killed`,
        output: outcome.output,
      };
    case 'exited': {
      const { exitCode, signal } = outcome.output;
      if (exitCode === 0) return { status: 'succeeded', durationMs, output: outcome.output };
      const error =
        signal === 'SIGXCPU'
          ? 'killed by SIGXCPU: it used up its CPU time (--task-cpu-seconds)'
          : signal !== null
            ? `killed by ${signal}`
            : `exited with code ${exitCode}`;
      return { status: 'failed', durationMs, error, output: outcome.output };
    }
  }
}

/**
 * Runs command tasks within the worker's limits: a program or directory they do not allow is
 * refused as `unsupported`, naming the rule (another worker may allow it).
 */
export function commandRunner(
  limits: TaskLimits = {},
): TaskRunner<Extract<Assignment, { kind: 'command' }>> {
  return {
    async run({ payload, timeoutMs }, signal) {
      const allowed = checkCommand(payload, limits);
      if ('refused' in allowed) {
        return { status: 'unsupported', durationMs: 0, error: allowed.refused };
      }
      const outcome = await runProcess({ ...payload, cwd: allowed.cwd, timeoutMs, limits }, signal);
      return resultOfProcess(outcome, timeoutMs);
    },
  };
}
