import { compareOutputs, DEFAULT_TOLERANCES, type ReferenceOutputs } from '../../models/index.js';
import type {
  ExecutionProvider,
  ModelMatrix,
  ResultMetrics,
  TaskView,
  TestStatus,
  Tolerance,
} from '../../protocol/index.js';
import { withoutUndefined } from '../format/without-undefined.js';
import { CELL_LABELS } from '../run/matrix-tasks.js';

export type CellVerdict = 'pass' | 'fail' | 'unsupported' | 'error';

/** A verdict as a test case's status in the reports: unsupported is skipped, never failed. */
export const VERDICT_STATUS: Record<CellVerdict, TestStatus | 'error'> = {
  pass: 'passed',
  fail: 'failed',
  unsupported: 'skipped',
  error: 'error',
};

/** One model × worker × execution provider result of a matrix run. */
export interface MatrixCell {
  taskId: string;
  model: string;
  worker: string;
  provider: string;
  verdict: CellVerdict;
  /** Why it did not pass: the comparison's problems, the browser's reason, the task's error. */
  reason?: string;
  maxAbsError?: number;
  maxRelError?: number;
  medianMs?: number;
  p90Ms?: number;
  meanMs?: number;
  firstRunMs?: number;
  sessionCreateMs?: number;
  /** What the outputs were judged against. */
  tolerance?: Tolerance;
}

/** The matrix's tolerance for a provider, else the default one. */
export function toleranceFor(matrix: ModelMatrix, provider: ExecutionProvider): Tolerance {
  return matrix.tolerance[provider] ?? DEFAULT_TOLERANCES[provider];
}

/** Judges a finished model task against the reference outputs of its model. */
export function judgeCell(
  task: TaskView,
  references: ReadonlyMap<string, ReferenceOutputs>,
  matrix: ModelMatrix,
): MatrixCell | undefined {
  const labels = task.spec.labels;
  const model = labels[CELL_LABELS.model];
  const worker = labels[CELL_LABELS.worker];
  const provider = labels[CELL_LABELS.provider];
  if (model === undefined || worker === undefined || provider === undefined) return undefined;
  const cell: MatrixCell = { taskId: task.id, model, worker, provider, verdict: 'error' };
  const result = task.result;
  if (task.state === 'unsupported') {
    return { ...cell, verdict: 'unsupported', reason: result?.error ?? 'unsupported' };
  }
  const output = result?.output;
  if (task.state !== 'succeeded' || output?.kind !== 'model') {
    return { ...cell, reason: result?.error ?? `task ${task.state}` };
  }
  const reference = references.get(model);
  const tolerance = toleranceFor(matrix, output.executionProvider);
  const comparison =
    reference === undefined ? undefined : compareOutputs(reference, output.outputs, tolerance);
  const judged: MatrixCell = {
    ...cell,
    verdict: comparison?.pass === true ? 'pass' : 'fail',
    medianMs: output.timings.medianMs,
    p90Ms: output.timings.p90Ms,
    meanMs: output.timings.meanMs,
    firstRunMs: output.timings.firstRunMs,
    sessionCreateMs: output.timings.sessionCreateMs,
    tolerance,
  };
  if (comparison === undefined) return { ...judged, reason: `no reference for model ${model}` };
  judged.maxAbsError = comparison.maxAbsError;
  judged.maxRelError = comparison.maxRelError;
  if (!comparison.pass) {
    judged.reason = [
      `max abs error ${comparison.maxAbsError.toExponential(2)} > ${tolerance.absolute} and max rel error ${comparison.maxRelError.toExponential(2)} > ${tolerance.relative}`,
      ...comparison.problems,
    ].join('; ');
  }
  return judged;
}

/** What a cell measured, as the reports and the results store carry it. */
export function cellMetrics(cell: MatrixCell): ResultMetrics {
  return withoutUndefined<ResultMetrics>({
    medianMs: cell.medianMs,
    p90Ms: cell.p90Ms,
    meanMs: cell.meanMs,
    firstRunMs: cell.firstRunMs,
    throughput: cell.meanMs !== undefined && cell.meanMs > 0 ? 1000 / cell.meanMs : undefined,
    maxAbsError: cell.maxAbsError,
    maxRelError: cell.maxRelError,
    toleranceAbs: cell.tolerance?.absolute,
    toleranceRel: cell.tolerance?.relative,
  });
}
