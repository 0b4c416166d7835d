import {
  type Capabilities,
  type QuarantineEntry,
  quarantineCovers,
  type ResultInput,
  type ResultMetrics,
  resultErrorText,
} from '../../protocol/index.js';
import { withoutUndefined } from '../format/without-undefined.js';
import type { MatrixCell } from './matrix-cells.js';
import { type ShardedCell, shardedCases, shardedRowName } from './sharded-cells.js';
import type { CaseReport, SuiteReport, TaskReport } from './suite-report.js';

/** Where a worker ran tests: `node` or its browser, with the version. */
export interface WorkerPlatform {
  browser: string;
  version: string;
}

export function workerPlatform(capabilities: Capabilities): WorkerPlatform {
  return capabilities.kind === 'node'
    ? { browser: 'node', version: capabilities.nodeVersion }
    : { browser: capabilities.browser.name, version: capabilities.browser.version };
}

/** The figures a result may store: an infinite error (NaN against a number) is in its error text. */
function finiteMetrics(metrics: ResultMetrics | undefined): ResultMetrics | undefined {
  const finite = Object.entries(metrics ?? {}).filter(([, v]) => Number.isFinite(v));
  return finite.length === 0 ? undefined : (Object.fromEntries(finite) as ResultMetrics);
}

function caseResult(c: CaseReport, base: Omit<ResultInput, 'test' | 'status' | 'durationMs'>) {
  return withoutUndefined<ResultInput>({
    ...base,
    file: base.file?.slice(0, 1024),
    test: c.name.slice(0, 512),
    status: c.status,
    durationMs: c.durationMs,
    error: c.message === undefined ? undefined : resultErrorText(c.message),
    metrics: finiteMetrics(c.metrics),
  });
}

/** A result and, for a task's test, the report's own case it was made from. */
export interface CaseResult {
  result: ResultInput;
  case?: CaseReport;
}

function taskResults(
  task: TaskReport,
  cell: MatrixCell | undefined,
  platforms: ReadonlyMap<string, WorkerPlatform>,
): CaseResult[] {
  const platform = task.workerId === undefined ? undefined : platforms.get(task.workerId);
  const base = {
    kind: task.kind,
    taskId: task.id,
    workerId: task.workerId,
    browser: platform?.browser,
    browserVersion: platform?.version,
  };
  if (cell !== undefined) {
    // A model cell is the model's test on its target: browser and backend are where it ran.
    const [only] = task.cases;
    if (only === undefined) return [];
    const result = caseResult(
      { ...only, name: `model ${cell.model}` },
      {
        ...base,
        browser: cell.worker,
        backend: cell.provider,
      },
    );
    return [{ result, case: only }];
  }
  const vitestFile = (c: CaseReport) =>
    task.kind === 'vitest' && c.name.includes(' > ') ? c.name.split(' > ', 1)[0] : undefined;
  return task.cases.map((c) => ({
    result: caseResult(c, { ...base, file: vitestFile(c) }),
    case: c,
  }));
}

function shardedResults(cell: ShardedCell): CaseResult[] {
  const test = `model ${cell.model} ${shardedRowName(cell)}`;
  return shardedCases(cell).map((c) => ({
    result: caseResult(
      { ...c, name: `${test} > ${c.name}` },
      { kind: 'shard-stage', browser: 'sharded', backend: cell.provider },
    ),
  }));
}

/**
 * The suite report as test-level results for the results store. A test is named the same in
 * every run (a vitest test by file and name, a model cell by its model), and where it ran
 * (browser, backend) is kept apart from its name, so that runs line up test by test.
 */
export function caseResults(
  report: SuiteReport,
  platforms: ReadonlyMap<string, WorkerPlatform>,
): CaseResult[] {
  const cells = new Map((report.matrix ?? []).map((cell) => [cell.taskId, cell]));
  return [
    ...report.tasks.flatMap((task) => taskResults(task, cells.get(task.id), platforms)),
    ...(report.sharded ?? []).flatMap(shardedResults),
  ];
}

export function resultsOfReport(
  report: SuiteReport,
  platforms: ReadonlyMap<string, WorkerPlatform>,
): ResultInput[] {
  return caseResults(report, platforms).map(({ result }) => result);
}

const failing = (r: ResultInput) => r.status === 'failed' || r.status === 'error';

/**
 * Marks the failures of quarantined tests (the result, and the report's case) and judges the
 * run again without them: a quarantined test runs and is reported, but fails no run. Returns
 * how many failures the quarantine covered.
 */
export function quarantineFailures(
  report: SuiteReport,
  pairs: readonly CaseResult[],
  quarantine: readonly QuarantineEntry[],
): number {
  let covered = 0;
  for (const pair of pairs) {
    if (!failing(pair.result)) continue;
    if (!quarantine.some((entry) => quarantineCovers(entry, pair.result))) continue;
    pair.result.quarantined = true;
    if (pair.case !== undefined) pair.case.quarantined = true;
    covered++;
  }
  report.quarantinedFailures = covered;
  report.passed = pairs.every(({ result }) => !failing(result) || result.quarantined === true);
  return covered;
}
