import { compareOutputs, type ReferenceOutputs, type Tolerance } from '../../models/index.js';
import type { ExecutionProvider, TensorSummary } from '../../protocol/index.js';
import type { PartitionStrategy } from '../../sharding/partition/index.js';
import type { StagePlacement } from '../../sharding/placement/index.js';
import type {
  PipelineFigures,
  RecoveryRecord,
  RecoveryStrategy,
  ShardedRunResult,
} from '../../sharding/run/index.js';
import { type CellVerdict, VERDICT_STATUS } from './matrix-cells.js';
import type { CaseReport } from './suite-report.js';

/** One micro-batch's outputs against the reference of its inputs. */
export interface MicroBatchCheck {
  microBatch: number;
  pass: boolean;
  maxAbsError: number;
  maxRelError: number;
  problems: string[];
}

/** What a sharded cell is, whether or not it ran. */
export interface ShardedCellKey {
  model: string;
  provider: ExecutionProvider;
  /** The plan's stage count and strategy (`auto` resolved). */
  stages: number;
  strategy: PartitionStrategy;
  recovery: RecoveryStrategy;
  microBatches: number;
  /** The group of the run's stage tasks (`dtf tasks --group <run>`). */
  run: string;
}

/** One sharded run of a model on one execution provider, judged. */
export interface ShardedCell extends ShardedCellKey {
  verdict: CellVerdict;
  /** Why it did not pass: the planner's reason, the run's error, the comparison's problems. */
  reason?: string;
  /** Workers that ran its stages, counted by browser (`node` for a Node worker). */
  workers: Record<string, number>;
  /** The run's wall time divided by its micro-batches. */
  msPerMicroBatch?: number;
  maxAbsError?: number;
  maxRelError?: number;
  microBatchChecks?: MicroBatchCheck[];
  placements?: StagePlacement[];
  figures?: PipelineFigures;
  recoveries?: RecoveryRecord[];
  /** Work committed twice for one micro-batch: must be 0. */
  committedTwice?: number;
  /** Plans the run went through: 1, plus one per re-plan. */
  generations?: number;
}

/** The WORKER column of a sharded row: `sharded 3×pipeline`. */
export function shardedRowName(cell: Pick<ShardedCellKey, 'stages' | 'strategy'>): string {
  return `sharded ${cell.stages}×${cell.strategy}`;
}

/** `chromium×2, firefox`: how many workers of each browser. */
export function formatWorkerCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([browser, n]) => (n === 1 ? browser : `${browser}×${n}`))
    .join(', ');
}

/** The name of its test suite in JUnit, like a matrix task's: `model · sharded 3×pipeline · wasm`. */
export function shardedCellName(cell: ShardedCellKey): string {
  return `${cell.model} · ${shardedRowName(cell)} · ${cell.provider}`;
}

/** A run that could not happen or did not end: no comparison. */
export function unranCell(key: ShardedCellKey, verdict: CellVerdict, reason: string): ShardedCell {
  return { ...key, verdict, reason, workers: {} };
}

/**
 * Judges a sharded run: every micro-batch's outputs, as its last stages committed them, against
 * onnxruntime-node's outputs for that micro-batch's inputs; and no committed work done twice.
 * `browserOf` names the browser of a worker by id.
 */
export function judgeShardedRun(
  key: ShardedCellKey,
  result: ShardedRunResult,
  references: readonly ReferenceOutputs[],
  tolerance: Tolerance,
  browserOf: (workerId: string) => string,
): ShardedCell {
  const checks = references.map((reference, microBatch): MicroBatchCheck => {
    const committed = result.outputs[microBatch] ?? {};
    const summaries: Record<string, TensorSummary> = Object.fromEntries(
      Object.entries(committed).map(([name, activation]) => [name, activation.summary]),
    );
    const { pass, maxAbsError, maxRelError, problems } = compareOutputs(
      reference,
      summaries,
      tolerance,
    );
    return { microBatch, pass, maxAbsError, maxRelError, problems };
  });
  const workers: Record<string, number> = {};
  for (const workerId of new Set(result.placements.map((placement) => placement.workerId))) {
    const browser = browserOf(workerId);
    workers[browser] = (workers[browser] ?? 0) + 1;
  }
  const failed = checks.filter((check) => !check.pass);
  const problems = [
    ...(failed.length === 0
      ? []
      : [
          `${failed.length} of ${checks.length} micro-batches outside the tolerance (absolute ${tolerance.absolute}, relative ${tolerance.relative}); micro-batch ${failed[0]!.microBatch}: ${failed[0]!.problems[0]}`,
        ]),
    ...(result.committedTwice === 0
      ? []
      : [`committed work was done again ${result.committedTwice} time(s)`]),
  ];
  return {
    ...key,
    verdict: problems.length === 0 ? 'pass' : 'fail',
    ...(problems.length === 0 ? {} : { reason: problems.join('; ') }),
    workers,
    msPerMicroBatch: result.figures.wallMs / key.microBatches,
    maxAbsError: Math.max(0, ...checks.map((check) => check.maxAbsError)),
    maxRelError: Math.max(0, ...checks.map((check) => check.maxRelError)),
    microBatchChecks: checks,
    placements: result.placements,
    figures: result.figures,
    recoveries: result.recoveries,
    committedTwice: result.committedTwice,
    generations: result.generations,
  };
}

/** Its checks as test cases: one per micro-batch and one for exactly-once, or why it did not run. */
export function shardedCases(cell: ShardedCell): CaseReport[] {
  const durationMs = cell.msPerMicroBatch ?? 0;
  // The run's wall time per micro-batch, as the table shows it.
  const pace =
    cell.msPerMicroBatch === undefined || cell.msPerMicroBatch <= 0
      ? {}
      : { meanMs: cell.msPerMicroBatch, throughput: 1000 / cell.msPerMicroBatch };
  if (cell.microBatchChecks === undefined) {
    const only: CaseReport = {
      name: cell.provider,
      status: VERDICT_STATUS[cell.verdict],
      durationMs,
    };
    if (cell.reason !== undefined) only.message = cell.reason;
    if (Object.keys(pace).length > 0) only.metrics = pace;
    return [only];
  }
  const cases = cell.microBatchChecks.map((check): CaseReport => {
    const c: CaseReport = {
      name: `micro-batch ${check.microBatch}`,
      status: check.pass ? 'passed' : 'failed',
      durationMs,
      metrics: { ...pace, maxAbsError: check.maxAbsError, maxRelError: check.maxRelError },
    };
    if (!check.pass) c.message = check.problems.join('\n');
    return c;
  });
  const twice = cell.committedTwice ?? 0;
  cases.push({
    name: 'each stage committed once per micro-batch',
    status: twice === 0 ? 'passed' : 'failed',
    durationMs: 0,
    ...(twice === 0 ? {} : { message: `committed work was done again ${twice} time(s)` }),
  });
  return cases;
}
