import type { TaskResult, TaskView, TestStatus } from '../../protocol/index.js';

/** One reported check: a test inside a vitest task, or a whole task of another kind. */
export interface CaseReport {
  name: string;
  status: TestStatus | 'error';
  durationMs: number;
  message?: string;
}

export interface TaskReport {
  id: string;
  name: string;
  kind: string;
  state: TaskView['state'];
  attempt: number;
  workerId?: string;
  durationMs: number;
  error?: string;
  cases: CaseReport[];
  /** The worker's full report of the last attempt: output tails, per-test results. */
  result?: TaskResult;
}

export interface SuiteReport {
  suite: string;
  group: string;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  counts: { tasks: number; succeeded: number; failed: number; cases: number; casesFailed: number };
  tasks: TaskReport[];
}

function taskCases(task: TaskView, name: string): CaseReport[] {
  const output = task.result?.output;
  if (output?.kind === 'vitest' && output.tests.length > 0) {
    return output.tests.map((t) => {
      const c: CaseReport = {
        name: `${t.file} > ${t.name}`,
        status: t.status,
        durationMs: t.durationMs,
      };
      if (t.error !== undefined) c.message = t.error;
      return c;
    });
  }
  const durationMs = task.result?.durationMs ?? 0;
  if (task.state === 'succeeded') return [{ name, status: 'passed', durationMs }];
  const message = task.result?.error ?? `task ${task.state}`;
  // A task that ran and failed is a failed test; one that never produced a result is an error.
  const status = task.state === 'failed' && task.result?.output !== undefined ? 'failed' : 'error';
  return [{ name, status, durationMs, message }];
}

/** The outcome of a suite run, built from the coordinator's final view of its tasks. */
export function buildSuiteReport(
  suite: string,
  group: string,
  startedAt: Date,
  durationMs: number,
  tasks: readonly TaskView[],
): SuiteReport {
  const reports = tasks.map((task): TaskReport => {
    const name = task.name ?? task.id;
    const report: TaskReport = {
      id: task.id,
      name,
      kind: task.kind,
      state: task.state,
      attempt: task.attempt,
      durationMs: task.result?.durationMs ?? 0,
      cases: taskCases(task, name),
    };
    if (task.workerId !== undefined) report.workerId = task.workerId;
    if (task.result?.error !== undefined) report.error = task.result.error;
    if (task.result !== undefined) report.result = task.result;
    return report;
  });
  const cases = reports.flatMap((r) => r.cases);
  const succeeded = reports.filter((r) => r.state === 'succeeded').length;
  return {
    suite,
    group,
    startedAt: startedAt.toISOString(),
    durationMs,
    passed: succeeded === reports.length,
    counts: {
      tasks: reports.length,
      succeeded,
      failed: reports.length - succeeded,
      cases: cases.length,
      casesFailed: cases.filter((c) => c.status === 'failed' || c.status === 'error').length,
    },
    tasks: reports,
  };
}
