import { setTimeout as sleep } from 'node:timers/promises';
import { type DtfClient, describeError, restGet, toHttpUrl } from '../../client/index.js';
import {
  type MatrixSharding,
  type ModelMatrix,
  RestWorkersResponse,
} from '../../protocol/index.js';
import { PlacementError } from '../../sharding/placement/index.js';
import { calibrationGroup, ShardedRun, type ShardedRunResult } from '../../sharding/run/index.js';
import { formatDuration } from '../format/duration.js';
import { ProgressReporter, type ProgressStream } from '../progress/progress-reporter.js';
import { toleranceFor } from '../report/matrix-cells.js';
import {
  judgeShardedRun,
  type ShardedCell,
  type ShardedCellKey,
  shardedRowName,
  unranCell,
} from '../report/sharded-cells.js';
import { type ShardedModel, shardingBudgetBytes } from './sharded-models.js';
import { shardedProviders } from './sharded-providers.js';

/** How often a run past the suite's timeout is told again to stop, until it has. */
const CANCEL_AGAIN_MS = 1_000;

export interface ShardedRunsOptions {
  client: DtfClient;
  /** The admin key. */
  token: string | undefined;
  matrix: ModelMatrix & { sharding: MatrixSharding };
  models: readonly ShardedModel[];
  /** The suite's group: each run's tasks are in a group named after it. */
  group: string;
  /** When the suite's `--timeout` runs out (ms since the epoch), and that timeout. */
  deadline?: { at: number; timeoutMs: number } | undefined;
  /** Where progress goes (stderr). */
  stream: ProgressStream;
}

export interface ShardedRunsOutcome {
  cells: ShardedCell[];
  /** The suite's timeout ran out during, or before, a run. */
  timedOut: boolean;
}

class TimeUp extends Error {}

/**
 * One sharded run per model and provider, one after another (runs side by side would share
 * workers and blur each other's figures), each over every live worker that offers its
 * provider, judged against the reference of every micro-batch.
 */
export async function runShardedCells(options: ShardedRunsOptions): Promise<ShardedRunsOutcome> {
  const { matrix } = options;
  const say = (line: string) => options.stream.write(`${line}\n`);
  const { sharding } = matrix;
  const providers = shardedProviders(matrix);
  const total = options.models.length * providers.length;
  const cells: ShardedCell[] = [];
  let timedOut = false;
  for (const model of options.models) {
    for (const provider of providers) {
      const { plan, model: test } = model.prepared;
      const key: ShardedCellKey = {
        model: test.name,
        provider,
        stages: plan.stages.length,
        strategy: plan.strategy,
        recovery: sharding.recovery,
        microBatches: sharding.microBatches,
        run: `${options.group}.sharded-${cells.length + 1}`,
      };
      const { deadline } = options;
      if (timedOut || (deadline !== undefined && Date.now() >= deadline.at)) {
        timedOut = true;
        cells.push(unranCell(key, 'error', "not run: the suite's --timeout ran out before it"));
        continue;
      }
      say(
        `sharded run ${cells.length + 1}/${total}: ${test.name} ${shardedRowName(key)} on ${provider}, ${key.microBatches} micro-batches, recovery ${key.recovery} (group ${key.run})`,
      );
      const reporter = new ProgressReporter(options.stream);
      // The driver tells of every stage of every micro-batch it commits: those lines redraw one
      // line (a line every few seconds in a log); its other lines (placements, recoveries) stay.
      const driverLine = (line: string) =>
        line.startsWith('committed ')
          ? reporter.update(`  ${line}`)
          : reporter.interject(`  ${line}`);
      const cell = await runOne(options, model, key, driverLine);
      reporter.finish();
      timedOut = cell.timedOut;
      cells.push(cell.cell);
      say(`${test.name} ${shardedRowName(key)} on ${provider}: ${verdictLine(cell.cell)}`);
    }
  }
  return { cells, timedOut };
}

function verdictLine(cell: ShardedCell): string {
  if (cell.verdict !== 'pass') return `${cell.verdict}: ${cell.reason ?? ''}`;
  const { figures } = cell;
  return `pass, ${cell.microBatches} micro-batches in ${formatDuration(figures!.wallMs)} (${figures!.microBatchesPerSecond.toFixed(1)}/s)`;
}

async function runOne(
  options: ShardedRunsOptions,
  model: ShardedModel,
  key: ShardedCellKey,
  progress: (line: string) => void,
): Promise<{ cell: ShardedCell; timedOut: boolean }> {
  const { client, token, matrix } = options;
  const run = new ShardedRun({
    client,
    token,
    prepared: model.prepared,
    backends: [key.provider],
    microBatches: key.microBatches,
    recovery: key.recovery,
    budgetBytes: shardingBudgetBytes(matrix.sharding),
    run: key.run,
    progress,
  });
  let result: ShardedRunResult;
  try {
    result = await executeWithin(run, key.run, client, options.deadline);
  } catch (error) {
    if (error instanceof TimeUp) {
      return { cell: unranCell(key, 'error', error.message), timedOut: true };
    }
    // No eligible worker, or none with room: the planner says which and why.
    const verdict = error instanceof PlacementError ? 'unsupported' : 'error';
    return { cell: unranCell(key, verdict, describeError(error)), timedOut: false };
  }
  // Only for the names of the browsers its stages ran on: a worker list that cannot be had
  // now leaves the workers' own names, and the run's result stands.
  const workers = await restGet(toHttpUrl(client.url), '/api/workers', token)
    .then((reply) => RestWorkersResponse.parse(reply).workers)
    .catch(() => []);
  const browserOf = (workerId: string) => {
    const worker = workers.find((candidate) => candidate.id === workerId);
    if (worker !== undefined) {
      return worker.capabilities.kind === 'node' ? 'node' : worker.capabilities.browser.name;
    }
    return result.placements.find((p) => p.workerId === workerId)?.workerName ?? workerId;
  };
  const tolerance = toleranceFor(matrix, key.provider);
  const cell = judgeShardedRun(key, result, model.references, tolerance, browserOf);
  return { cell, timedOut: false };
}

/**
 * The run's result, or a `TimeUp` once the suite's deadline has passed and the run has stopped:
 * its tasks (and those measuring its workers) are cancelled until it has, which it does once
 * it sees a stage cancelled.
 */
async function executeWithin(
  run: ShardedRun,
  group: string,
  client: DtfClient,
  deadline: ShardedRunsOptions['deadline'],
): Promise<ShardedRunResult> {
  const execution = run.execute();
  if (deadline === undefined) return execution;
  const stopped = execution.then(
    () => 'stopped' as const,
    () => 'stopped' as const,
  );
  const first = await raceTimer(execution, Math.max(0, deadline.at - Date.now()));
  if (first !== 'time up') return first;
  for (;;) {
    for (const selector of [{ group }, { group: calibrationGroup(group) }]) {
      // A coordinator that cannot answer now is asked again; the run ends once it sees either.
      await client.cancel(selector).catch(() => {});
    }
    if ((await raceTimer(stopped, CANCEL_AGAIN_MS)) === 'stopped') break;
  }
  throw new TimeUp(
    `cancelled: the suite's --timeout of ${formatDuration(deadline.timeoutMs)} ran out during the run`,
  );
}

/** What `promise` gives, or `'time up'` after `ms`, leaving no timer behind either way. */
async function raceTimer<T>(promise: Promise<T>, ms: number): Promise<T | 'time up'> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, 'time up' as const, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}
