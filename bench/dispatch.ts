import { probeCapabilities } from '../node-worker/index.js';
import type { NodeCapabilities } from '../protocol/index.js';
import { measureSqliteInserts } from './baselines/sqlite-insert.js';
import { measureWsEcho } from './baselines/ws-echo.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import type { Figure } from './figure.js';
import { formatBytes } from './format.js';
import { measureFigure } from './measure.js';
import { type DispatchWorkload, measureDispatch } from './support/dispatch-run.js';
import { storedSpecText, submitMessageText } from './support/noop-tasks.js';

const WORKERS = 4;
const SLOTS_PER_WORKER = 64;
const ECHOES_IN_FLIGHT = [1, 100];
const BATCHED_TASKS = { quick: 10_000, full: 50_000 };
const SQLITE_ROWS_PER_TRANSACTION = 1_000;
/**
 * As many rows as the batched variant has tasks: inserts slow down as the table grows (the
 * random ids land all over the unique index, so each WAL checkpoint writes more pages).
 */
const SQLITE_ROWS = BATCHED_TASKS;

interface Variant {
  tasks: { quick: number; full: number };
  tasksPerSubmit: number;
  submitsInFlight: number;
  /** Round trips per echo baseline; each echoes one submit message of this variant. */
  echoRoundTrips: { quick: number; full: number };
}

/** The batched variant: also the DTF side of comparisons with other queues (see `bullmq.ts`). */
const BATCHED: Variant = {
  tasks: BATCHED_TASKS,
  tasksPerSubmit: 1_000,
  submitsInFlight: 4,
  echoRoundTrips: { quick: 500, full: 2_000 },
};

const VARIANTS: readonly Variant[] = [
  BATCHED,
  {
    tasks: { quick: 2_000, full: 20_000 },
    tasksPerSubmit: 1,
    submitsInFlight: 100,
    echoRoundTrips: { quick: 5_000, full: 20_000 },
  },
];

function sized(options: BenchOptions, counts: { quick: number; full: number }): number {
  return options.quick ? counts.quick : counts.full;
}

function variantName(variant: Variant): string {
  const tasks = variant.tasksPerSubmit.toLocaleString('en-US');
  const per = variant.tasksPerSubmit === 1 ? 'task' : 'tasks';
  return `dispatch, ${tasks} ${per} per submit, ${variant.submitsInFlight} submits in flight`;
}

function sqliteBaseline(options: BenchOptions): Promise<Figure> {
  const body = storedSpecText();
  const rows = sized(options, SQLITE_ROWS);
  const perTransaction = SQLITE_ROWS_PER_TRANSACTION.toLocaleString('en-US');
  return measureFigure(
    options,
    { name: `sqlite insert, ${perTransaction} task-sized rows per transaction`, unit: 'rows/s' },
    () => measureSqliteInserts({ rows, rowsPerTransaction: SQLITE_ROWS_PER_TRANSACTION, body }),
  );
}

function workloadOf(
  options: BenchOptions,
  variant: Variant,
): Omit<DispatchWorkload, 'capabilities'> {
  return {
    tasks: sized(options, variant.tasks),
    tasksPerSubmit: variant.tasksPerSubmit,
    submitsInFlight: variant.submitsInFlight,
    workers: WORKERS,
    slotsPerWorker: SLOTS_PER_WORKER,
  };
}

/** The batched variant's figure of this process run, by run settings, once measured. */
const batchedFigures = new Map<string, Promise<Figure>>();

function runKey(options: BenchOptions): string {
  return `${options.quick ? 'quick' : 'full'}/${options.runs}`;
}

/** Measures one variant's dispatch rate, read against `baselines`. */
function measureVariant(
  options: BenchOptions,
  variant: Variant,
  capabilities: NodeCapabilities,
  baselines: readonly Figure[],
): Promise<Figure> {
  const workload = { ...workloadOf(options, variant), capabilities };
  const measured = measureFigure(
    options,
    { name: variantName(variant), unit: 'tasks/s', baselines },
    () => measureDispatch(workload),
  );
  if (variant === BATCHED) batchedFigures.set(runKey(options), measured);
  return measured;
}

/** The batched dispatch workload, for a benchmark that runs the same work through another queue. */
export function batchedDispatchWorkload(
  options: BenchOptions,
): Omit<DispatchWorkload, 'capabilities'> {
  return workloadOf(options, BATCHED);
}

/**
 * DTF's batched dispatch figure of this process run: the dispatch benchmark's own when it has
 * run already with the same settings, else measured now (without its ws and SQLite baselines).
 */
export async function batchedDispatchFigure(options: BenchOptions): Promise<Figure> {
  const measured = batchedFigures.get(runKey(options));
  if (measured !== undefined) {
    options.progress(`reusing the dispatch benchmark's '${variantName(BATCHED)}' figure`);
    return measured;
  }
  return measureVariant(options, BATCHED, await probeCapabilities(), []);
}

async function echoBaselines(options: BenchOptions, variant: Variant): Promise<Figure[]> {
  const message = submitMessageText(variant.tasksPerSubmit);
  const roundTrips = sized(options, variant.echoRoundTrips);
  const figures: Figure[] = [];
  for (const inFlight of ECHOES_IN_FLIGHT) {
    const name = `ws echo of ${formatBytes(Buffer.byteLength(message))}, ${inFlight} in flight`;
    figures.push(
      await measureFigure(options, { name, unit: 'round trips/s' }, () =>
        measureWsEcho({ message, roundTrips, inFlight }),
      ),
    );
  }
  return figures;
}

/**
 * Tasks per second from submit to recorded result through an in-process coordinator with
 * four light workers that succeed every task at once, batched and one task per submit, next
 * to raw `ws` echo and SQLite insert baselines measured in the same run.
 */
export const dispatchBenchmark: Benchmark = {
  name: 'dispatch',
  async run(options) {
    const capabilities = await probeCapabilities();
    const sqlite = await sqliteBaseline(options);
    const figures: Figure[] = [sqlite];
    for (const variant of VARIANTS) {
      const echoes = await echoBaselines(options, variant);
      const dispatch = await measureVariant(options, variant, capabilities, [...echoes, sqlite]);
      figures.push(...echoes, dispatch);
    }
    return figures;
  },
};
