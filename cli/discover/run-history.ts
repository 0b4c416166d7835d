import { join } from 'node:path';
import { type DtfClient, describeError, toHttpUrl } from '../../client/index.js';
import { RestRunsReply, RestWorkersResponse, type TaskView } from '../../protocol/index.js';
import type { CoordinatorAccess } from '../connection.js';
import { printStatus } from '../output.js';
import { getChecked } from '../run/stored-run.js';
import type { MeasuredDurations, MeasuredTest, MeasuredTests } from './split-files.js';

/** How many of the suite's latest runs a file's last duration is looked for in. */
const RUNS_LOOKED_AT = 5;

/**
 * How long each vitest test file, and each of its tests, took the last time it ran, by the
 * file's absolute path, from the tasks of
 * the suite's latest ended runs (the newest that ran a file tells; a shard ran only some).
 * Given `notCommit` (a sharded run's commit), runs of that commit are passed over: the other
 * jobs of a sharded CI build run it too, and every job must split the files with the same
 * durations whichever of them ends first. Runs are read newest first until every file `wanted`
 * (the discovered ones, absolute) has a duration. Empty when there is no such run or it cannot
 * be read.
 */
export async function measuredDurations(
  client: DtfClient,
  access: CoordinatorAccess,
  suite: string,
  notCommit: string | undefined,
  wanted: Promise<readonly string[]>,
): Promise<{ durations: MeasuredDurations; tests: MeasuredTests }> {
  const files = new Map<string, number>();
  const tests = new Map<string, MeasuredTest[]>();
  try {
    const path = `/api/runs?suite=${encodeURIComponent(suite)}&limit=50`;
    const { runs } = await getChecked(toHttpUrl(client.url), access.token, path, RestRunsReply);
    const ended = runs.filter(
      (run) =>
        run.status !== 'running' && (notCommit === undefined || run.meta.commit !== notCommit),
    );
    for (const run of ended.slice(0, RUNS_LOOKED_AT)) {
      const measured = runDurations(await client.query({ group: run.id, limit: 10_000 }));
      for (const [at, durationMs] of measured.durations) {
        if (files.has(at)) continue;
        files.set(at, durationMs);
        tests.set(at, measured.tests.get(at) ?? []);
      }
      // The newest run that ran every file tells all: the older ones are not read.
      // (Discovery's own failure is the run's to report.)
      const all = await wanted.catch(() => undefined);
      if (all?.every((file) => files.has(file))) break;
    }
  } catch (error) {
    printStatus(
      `(splitting by file size: the last runs' durations cannot be read: ${describeError(error)})`,
    );
  }
  return { durations: files, tests };
}

/**
 * Task slots of the live Node workers the coordinator knows, in all and of the smallest: a
 * vitest task takes one worker's slots.
 */
export async function nodeSlots(
  url: string,
  access: CoordinatorAccess,
): Promise<{ total: number; perWorker: number }> {
  const { workers } = await getChecked(
    toHttpUrl(url),
    access.token,
    '/api/workers',
    RestWorkersResponse,
  );
  const slots = workers
    .filter((w) => w.capabilities.kind === 'node' && w.status === 'connected' && !w.draining)
    .map((w) => w.slots);
  return {
    total: slots.reduce((sum, n) => sum + n, 0),
    perWorker: slots.length === 0 ? 1 : Math.min(...slots),
  };
}

interface VitestTaskTimes {
  dir: string;
  /** Its files' durations as vitest measured them. */
  files: ReadonlyArray<{ file: string; durationMs: number }>;
  /** What the task took beyond its files' share of its vitest workers. */
  beyondFiles: number;
  /** The time of the tests it ran of each file (only a slice's, when the file was split). */
  testsMs: Map<string, number>;
}

/** A file's measures across the run's tasks (several when it was split by its tests). */
interface FileMeasures {
  total: number;
  slices: number;
  /** The least any of its slices spent outside its tests: its set-up, paid by each slice. */
  setUp: number;
  tests: MeasuredTest[];
}

/**
 * Each file's duration and tests in one run's vitest tasks. A type test measures 0 (tsc checks
 * the project in the process, not in the file), so its time is taken to be what its task took
 * beyond its other files and beyond the least any of the run's tasks without one took (vitest's
 * start-up): split among such files, it is what packing the next run goes by. A file split by
 * its tests ran in several tasks: its duration is their sum less the set-up each slice repeated.
 */
export function runDurations(tasks: readonly TaskView[]): {
  durations: Map<string, number>;
  tests: Map<string, MeasuredTest[]>;
} {
  const times: VitestTaskTimes[] = [];
  const testsByFile = new Map<string, MeasuredTest[]>();
  for (const task of tasks) {
    const output = task.result?.output;
    if (task.spec.kind !== 'vitest' || output?.kind !== 'vitest' || task.result === undefined) {
      continue;
    }
    const { dir } = task.spec.payload;
    const files = output.files ?? [];
    const width = task.spec.requirements.slots ?? 1;
    const sum = files.reduce((total, f) => total + f.durationMs, 0);
    const testsMs = new Map<string, number>();
    for (const { file, name, durationMs } of output.tests) {
      const at = join(dir, file);
      const found = testsByFile.get(at) ?? [];
      found.push({ name, durationMs });
      testsByFile.set(at, found);
      testsMs.set(at, (testsMs.get(at) ?? 0) + durationMs);
    }
    times.push({ dir, files, beyondFiles: task.result.durationMs - sum / width, testsMs });
  }
  const startUps = times
    .filter((t) => t.files.every((f) => f.durationMs > 0))
    .map((t) => t.beyondFiles);
  const startUp = startUps.length === 0 ? undefined : Math.min(...startUps);
  const measures = new Map<string, FileMeasures>();
  for (const { dir, files, beyondFiles, testsMs } of times) {
    const unmeasured = files.filter((f) => f.durationMs <= 0);
    const inferred =
      startUp === undefined || unmeasured.length === 0
        ? 0
        : Math.max(0, beyondFiles - startUp) / unmeasured.length;
    for (const { file, durationMs } of files) {
      const at = join(dir, file);
      const ms = durationMs > 0 ? durationMs : inferred;
      const setUp = Math.max(0, ms - (testsMs.get(at) ?? 0));
      const known = measures.get(at);
      if (known === undefined) {
        measures.set(at, { total: ms, slices: 1, setUp, tests: testsByFile.get(at) ?? [] });
      } else {
        known.total += ms;
        known.slices += 1;
        known.setUp = Math.min(known.setUp, setUp);
      }
    }
  }
  const durations = new Map<string, number>();
  const tests = new Map<string, MeasuredTest[]>();
  for (const [at, { total, slices, setUp, tests: found }] of measures) {
    durations.set(at, total - (slices - 1) * setUp);
    tests.set(at, found);
  }
  return { durations, tests };
}
