import type {
  ResultMetrics,
  TaskResult,
  TaskView,
  TestCaseResult,
  TestStatus,
} from '../../protocol/index.js';
import { cellMetrics, type MatrixCell, VERDICT_STATUS } from './matrix-cells.js';
import { type ShardedCell, shardedCases } from './sharded-cells.js';

/** One reported check: a test a task reported (vitest, page test, plugin), or a whole task. */
export interface CaseReport {
  name: string;
  status: TestStatus | 'error';
  durationMs: number;
  message?: string;
  /** What it measured: latency, error against the reference and its tolerance. */
  metrics?: ResultMetrics;
  /** It failed, but the test is quarantined: the failure fails no run. */
  quarantined?: true;
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
  /** A vitest task's project directory: its cases' files are relative to it. */
  dir?: string;
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
  /** Failures of quarantined tests, which do not count against `passed`. */
  quarantinedFailures?: number;
  counts: {
    tasks: number;
    succeeded: number;
    failed: number;
    cases: number;
    casesFailed: number;
    casesSkipped: number;
  };
  tasks: TaskReport[];
  /** The model matrix, when the suite has one. */
  matrix?: MatrixCell[];
  /** Its sharded cells, when the matrix asks for sharding. */
  sharded?: ShardedCell[];
}

function cellCase(cell: MatrixCell, durationMs: number): CaseReport {
  const c: CaseReport = {
    name: `${cell.worker} ${cell.provider}`,
    status: VERDICT_STATUS[cell.verdict],
    durationMs,
  };
  if (cell.reason !== undefined) c.message = cell.reason;
  const metrics = cellMetrics(cell);
  if (Object.keys(metrics).length > 0) c.metrics = metrics;
  return c;
}

const isFailure = (c: CaseReport) => c.status === 'failed' || c.status === 'error';

/** The task itself as a case: passed, or failed (it ran) or in error (it gave no result). */
function taskCase(task: TaskView, name: string): CaseReport {
  const durationMs = task.result?.durationMs ?? 0;
  if (task.state === 'succeeded') return { name, status: 'passed', durationMs };
  const message = task.result?.error ?? `task ${task.state}`;
  const status = task.state === 'failed' && task.result?.output !== undefined ? 'failed' : 'error';
  return { name, status, durationMs, message };
}

function taskCases(task: TaskView, name: string): CaseReport[] {
  const output = task.result?.output;
  if (output === undefined || !('tests' in output) || output.tests.length === 0) {
    return [taskCase(task, name)];
  }
  // A vitest task runs files of the project; a page test or plugin task is one file itself.
  const prefix = (t: TestCaseResult) => (output.kind === 'vitest' ? t.file : name);
  const cases = output.tests.map((t) => {
    const c: CaseReport = {
      name: `${prefix(t)} > ${t.name}`,
      status: t.status,
      durationMs: t.durationMs,
    };
    if (t.error !== undefined) c.message = t.error;
    return c;
  });
  // A task that failed beyond its tests (an unhandled error, a timeout after them) fails the run
  // as a case of its own, saying why.
  if (task.state !== 'succeeded' && !cases.some(isFailure)) cases.push(taskCase(task, name));
  return cases;
}

/** The outcome of a suite run, built from the coordinator's final view of its tasks. */
export function buildSuiteReport(
  suite: string,
  group: string,
  startedAt: Date,
  durationMs: number,
  tasks: readonly TaskView[],
  cells: ReadonlyMap<string, MatrixCell> = new Map(),
  sharded: readonly ShardedCell[] = [],
): SuiteReport {
  const reports = tasks.map((task): TaskReport => {
    const cell = cells.get(task.id);
    const name = task.name ?? task.id;
    const report: TaskReport = {
      id: task.id,
      name,
      kind: task.kind,
      state: task.state,
      attempt: task.attempt,
      durationMs: task.result?.durationMs ?? 0,
      cases:
        cell === undefined ? taskCases(task, name) : [cellCase(cell, task.result?.durationMs ?? 0)],
    };
    if (task.workerId !== undefined) report.workerId = task.workerId;
    if (task.spec.kind === 'vitest') report.dir = task.spec.payload.dir;
    if (task.result?.error !== undefined) report.error = task.result.error;
    if (task.result !== undefined) report.result = task.result;
    return report;
  });
  const report: SuiteReport = {
    suite,
    group,
    startedAt: startedAt.toISOString(),
    durationMs,
    ...judge(reports, sharded),
    tasks: reports,
  };
  if (cells.size > 0) report.matrix = [...cells.values()];
  if (sharded.length > 0) report.sharded = [...sharded];
  return report;
}

/** Whether a run of these tasks and sharded cells passed, and its counts. */
export function judge(
  reports: readonly TaskReport[],
  sharded: readonly ShardedCell[],
): Pick<SuiteReport, 'passed' | 'counts'> {
  const shardedCaseLists = sharded.map(shardedCases);
  const cases = [...reports.flatMap((r) => r.cases), ...shardedCaseLists.flat()];
  const failedTasks = reports.filter((r) => r.cases.some(isFailure)).length;
  const failedSharded = shardedCaseLists.filter((list) => list.some(isFailure)).length;
  return {
    passed: failedTasks === 0 && failedSharded === 0,
    counts: {
      tasks: reports.length,
      succeeded: reports.filter((r) => r.state === 'succeeded').length,
      failed: failedTasks,
      cases: cases.length,
      casesFailed: cases.filter(isFailure).length,
      casesSkipped: cases.filter((c) => c.status === 'skipped' || c.status === 'todo').length,
    },
  };
}
