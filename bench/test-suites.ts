import { join } from 'node:path';
import { packLongestFirst } from '../cli/discover/pack.js';
import { DtfClient } from '../client/index.js';
import type { TaskView } from '../protocol/index.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import type { Figure } from './figure.js';
import { measureFigure } from './measure.js';
import { type CoordinatorProcess, withCoordinatorProcess } from './support/coordinator-process.js';
import { measureFigures } from './support/measure-figures.js';
import {
  dtfRunSeconds,
  REPO,
  startNodeWorkers,
  timedRun,
  VITEST,
  writeSleepProject,
} from './support/suite-runs.js';
import { withTempDir } from './support/temp-dir.js';

const WORKERS = 2;
const SLOTS = 2;
const UFO = join(REPO, 'test/third-party/ufo');
/** Test files that sleep these ms: a few long, many short, as real suites are. */
const SKEWED_MS = [
  5_000, 3_000, 2_200, 1_800, 1_500, 1_200, 1_000, 900, 800, 700, 600, 500, 450, 400, 350, 300, 250,
  200, 200, 150, 150, 100, 100, 100,
];

/** Runs `fn` with a coordinator process and its Node workers, all stopped afterwards. */
function withNodeWorkers<T>(fn: (coordinator: CoordinatorProcess) => Promise<T>): Promise<T> {
  return withCoordinatorProcess([], async (coordinator) => {
    const workers = await startNodeWorkers(coordinator, WORKERS, SLOTS);
    try {
      return await fn(coordinator);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  });
}

/** The tasks of the suite's latest run. */
async function lastRunTasks(coordinator: CoordinatorProcess, suite: string): Promise<TaskView[]> {
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  try {
    const reply = await fetch(`${coordinator.url}/api/runs?suite=${suite}&limit=1`, {
      headers: { authorization: `Bearer ${coordinator.adminKey}` },
    });
    const { runs } = (await reply.json()) as { runs: Array<{ id: string }> };
    return await client.query({ group: runs[0]!.id, limit: 10_000 });
  } finally {
    await client.close();
  }
}

/**
 * The run's makespan: its first task's start to its last task's end, on the coordinator's
 * clock, in seconds.
 */
function makespan(tasks: readonly TaskView[]): number {
  const start = Math.min(...tasks.map((t) => t.startedAt!));
  const end = Math.max(...tasks.map((t) => t.finishedAt!));
  return (end - start) / 1000;
}

/**
 * The least any packing of the files onto the slots could take: a vitest's start-up (timed
 * alone in the same round, on its shortest file), then the longest file or an even share of
 * them all, whichever is longer.
 */
function lowerBound(sleepsMs: readonly number[], startUpSeconds: number): number {
  const total = sleepsMs.reduce((sum, ms) => sum + ms, 0);
  return startUpSeconds + Math.max(Math.max(...sleepsMs), total / (WORKERS * SLOTS)) / 1000;
}

/**
 * The LPT schedule run by hand, without DTF: the files packed longest first onto the workers'
 * slots, each worker's share one `vitest run --maxWorkers=<slots>` started together with the
 * others (on this machine they share its cores, as the Node workers do); seconds until all end.
 */
async function lptByHand(dir: string, sleepsMs: readonly number[]): Promise<number> {
  const files = sleepsMs.map((ms, i) => ({
    key: `test/f${String(i).padStart(2, '0')}.test.js`,
    ms,
  }));
  const shares = packLongestFirst(files, WORKERS * SLOTS);
  const perWorker = Array.from({ length: WORKERS }, (_, w) =>
    shares.filter((_, i) => i % WORKERS === w).flat(),
  );
  const started = performance.now();
  await Promise.all(
    perWorker.map((share) =>
      timedRun(
        process.execPath,
        [VITEST, 'run', `--maxWorkers=${SLOTS}`, ...share.map((f) => f.key)],
        dir,
      ),
    ),
  );
  return (performance.now() - started) / 1000;
}

async function skewedSuite(options: BenchOptions): Promise<Figure[]> {
  const what = `${SKEWED_MS.length} test files sleeping ${SKEWED_MS.at(-1)}–${SKEWED_MS[0]} ms on ${WORKERS} Node workers × ${SLOTS} slots`;
  return withTempDir('dtf-bench-skewed-', (dir) => {
    writeSleepProject(dir, SKEWED_MS);
    // The warm-up run measures the files; each measured run is split by the run before it.
    return withNodeWorkers((coordinator) =>
      measureFigures(
        options,
        [
          {
            name: `${what}: LPT schedule run by hand (a vitest a worker, started together)`,
            unit: 's',
          },
          { name: `${what}: one vitest start-up + max(longest, total / slots)`, unit: 's' },
          {
            name: `${what}: makespan, split by measured durations`,
            unit: 's',
            baselines: [
              `${what}: LPT schedule run by hand (a vitest a worker, started together)`,
              `${what}: one vitest start-up + max(longest, total / slots)`,
            ],
          },
        ],
        async () => {
          const shortest = `test/f${String(SKEWED_MS.length - 1).padStart(2, '0')}.test.js`;
          const startUp = await timedRun(process.execPath, [VITEST, 'run', shortest], dir);
          const startUpOnly = startUp - SKEWED_MS.at(-1)! / 1000;
          const byHand = await lptByHand(dir, SKEWED_MS);
          await dtfRunSeconds(coordinator, dir);
          return [
            byHand,
            lowerBound(SKEWED_MS, startUpOnly),
            makespan(await lastRunTasks(coordinator, 'skewed')),
          ];
        },
      ),
    );
  });
}

async function thirdPartySuite(options: BenchOptions): Promise<Figure[]> {
  const what = 'ufo (14 files, 487 tests, a type test)';
  const direct = await measureFigure(
    options,
    { name: `${what}: vitest run --typecheck --maxWorkers=4, wall time`, unit: 's' },
    () => timedRun(process.execPath, [VITEST, 'run', '--typecheck', '--maxWorkers=4'], UFO),
  );
  const dtf = await withNodeWorkers((coordinator) =>
    measureFigure(
      options,
      {
        name: `${what}: dtf run on ${WORKERS} Node workers × ${SLOTS} slots (vitest warm since the warm-up run), wall time`,
        unit: 's',
        baselines: [direct],
      },
      () => dtfRunSeconds(coordinator, UFO),
    ),
  );
  return [direct, dtf];
}

/**
 * Test suites run from a config: a synthetic suite of skewed file durations, whose makespan is
 * read against its LPT schedule run by hand (and against the least a single vitest start-up
 * could allow), and a real third-party vitest suite, read against vitest running it alone on the
 * same machine.
 */
export const testSuitesBenchmark: Benchmark = {
  name: 'test-suites',
  async run(options: BenchOptions) {
    return [...(await skewedSuite(options)), ...(await thirdPartySuite(options))];
  },
};
