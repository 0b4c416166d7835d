import {
  type Capabilities,
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

function taskResults(
  task: TaskReport,
  cell: MatrixCell | undefined,
  platforms: ReadonlyMap<string, WorkerPlatform>,
): ResultInput[] {
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
    return [result];
  }
  const vitestFile = (c: CaseReport) =>
    task.kind === 'vitest' && c.name.includes(' > ') ? c.name.split(' > ', 1)[0] : undefined;
  return task.cases.map((c) => caseResult(c, { ...base, file: vitestFile(c) }));
}

function shardedResults(cell: ShardedCell): ResultInput[] {
  const test = `model ${cell.model} ${shardedRowName(cell)}`;
  return shardedCases(cell).map((c) =>
    caseResult(
      { ...c, name: `${test} > ${c.name}` },
      { kind: 'shard-stage', browser: 'sharded', backend: cell.provider },
    ),
  );
}

/**
 * The suite report as test-level results for the results store. A test is named the same in
 * every run (a vitest test by file and name, a model cell by its model), and where it ran
 * (browser, backend) is kept apart from its name, so that runs line up test by test.
 */
export function resultsOfReport(
  report: SuiteReport,
  platforms: ReadonlyMap<string, WorkerPlatform>,
): ResultInput[] {
  const cells = new Map((report.matrix ?? []).map((cell) => [cell.taskId, cell]));
  return [
    ...report.tasks.flatMap((task) => taskResults(task, cells.get(task.id), platforms)),
    ...(report.sharded ?? []).flatMap(shardedResults),
  ];
}
