import { probeCapabilities } from '../node-worker/index.js';
import { measureSqliteInserts } from './baselines/sqlite-insert.js';
import { measureWsEcho } from './baselines/ws-echo.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import type { Figure } from './figure.js';
import { formatBytes } from './format.js';
import { measureFigure } from './measure.js';
import { measureDispatch } from './support/dispatch-run.js';
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

const VARIANTS: readonly Variant[] = [
  {
    tasks: BATCHED_TASKS,
    tasksPerSubmit: 1_000,
    submitsInFlight: 4,
    echoRoundTrips: { quick: 500, full: 2_000 },
  },
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
      const workload = {
        tasks: sized(options, variant.tasks),
        tasksPerSubmit: variant.tasksPerSubmit,
        submitsInFlight: variant.submitsInFlight,
        workers: WORKERS,
        slotsPerWorker: SLOTS_PER_WORKER,
        capabilities,
      };
      const dispatch = await measureFigure(
        options,
        { name: variantName(variant), unit: 'tasks/s', baselines: [...echoes, sqlite] },
        () => measureDispatch(workload),
      );
      figures.push(...echoes, dispatch);
    }
    return figures;
  },
};
