import { join } from 'node:path';
import picomatch from 'picomatch';
import {
  type ShardSpec,
  setsVitestParallelism,
  type TaskSpecInput,
  type VitestProject,
} from '../../protocol/index.js';
import { packLongestFirst, type Weighted } from './pack.js';

/** A vitest project with the test files found for it. */
export interface DiscoveredProject {
  project: VitestProject;
  /** The project's directory, absolute. */
  dir: string;
  /** Its test files, relative to `dir`, with their sizes. */
  files: ReadonlyArray<{ file: string; bytes: number }>;
}

/** How long each test file took the last time it ran, by its absolute path. */
export type MeasuredDurations = ReadonlyMap<string, number>;

/** The tests of each file as the last run measured them, by the file's absolute path. */
export type MeasuredTests = ReadonlyMap<string, readonly MeasuredTest[]>;

export interface MeasuredTest {
  name: string;
  durationMs: number;
}

/** A file longer than this many even shares of a slot's work is split by its tests. */
const SLICE_ABOVE_SHARES = 1.5;

/** What an unmeasured file is taken to cost per KB while no file is measured to calibrate it. */
const DEFAULT_MS_PER_KB = 50;

/** Files that run in one vitest process, and how long they are expected to take together. */
interface Unit extends Weighted {
  project: DiscoveredProject;
  files: string[];
  /** A slice of one file's tests: it runs in a task of its own, on one vitest worker. */
  slice?: { pattern: string; index: number; of: number };
}

export interface SplitOptions {
  /** Task slots the run has in all. */
  slots: number;
  /**
   * The slots one task takes, each a vitest worker: a Node worker's slots, so that each runs
   * one vitest process, which shares its own set-up among the files.
   */
  slotsPerTask: number;
  shard?: ShardSpec | undefined;
  measured: MeasuredDurations;
  /** The files' tests as last measured: a file much longer than a slot's share is split by them. */
  tests?: MeasuredTests;
  /** Applied to every task made. */
  task?: Pick<TaskSpecInput, 'timeoutMs' | 'retry'>;
}

export interface SplitPlan {
  tasks: TaskSpecInput[];
  /** Each task's expected duration, in the order of `tasks`. */
  expectedMs: number[];
  files: { total: number; measured: number; inShard: number };
}

/**
 * The ms each file of `projects` is expected to take: as measured, else from its size at the
 * rate the measured files ran at (or a default rate while none is measured). A file measured
 * at 0 (a type test: tsc's time is the process's, not the file's) counts as unmeasured.
 */
function estimates(projects: readonly DiscoveredProject[], measured: MeasuredDurations) {
  const known = (dir: string, file: string) => {
    const ms = measured.get(join(dir, file));
    return ms === undefined || ms <= 0 ? undefined : ms;
  };
  let ms = 0;
  let bytes = 0;
  for (const { dir, files } of projects) {
    for (const { file, bytes: size } of files) {
      const took = known(dir, file);
      if (took === undefined) continue;
      ms += took;
      bytes += size;
    }
  }
  const msPerByte = ms > 0 && bytes > 0 ? ms / bytes : DEFAULT_MS_PER_KB / 1_024;
  return (dir: string, file: string, size: number) =>
    known(dir, file) ?? Math.max(1, size * msPerByte);
}

/** A project's files as units: those its `together` globs match as one, every other alone. */
function units(project: DiscoveredProject, estimate: ReturnType<typeof estimates>): Unit[] {
  const { name, together: globs } = project.project;
  const together = globs.length === 0 ? () => false : picomatch(globs, { dot: true });
  const grouped: Unit = { key: '', ms: 0, project, files: [] };
  const alone: Unit[] = [];
  for (const { file, bytes } of project.files) {
    const ms = estimate(project.dir, file, bytes);
    if (together(file)) {
      grouped.files.push(file);
      grouped.ms += ms;
    } else {
      alone.push({ key: `${name}\0${file}`, ms, project, files: [file] });
    }
  }
  if (grouped.files.length === 0) return alone;
  grouped.key = `${name}\0${grouped.files[0]}`;
  return [grouped, ...alone];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names: readonly string[]) => `(?:${names.map(escapeRegExp).join('|')})`;

/**
 * `unit` (one file) as `count` slices of its tests, packed longest first by their measured
 * durations, each run with a `--testNamePattern` (vitest matches it against a test's full
 * name): every slice but the last names its tests, the last takes every test the others do not
 * name, so that a test added since is run once too. Each slice pays the file's own set-up again.
 */
function sliced(unit: Unit, tests: readonly MeasuredTest[], count: number): Unit[] {
  const byName = new Map<string, number>();
  for (const { name, durationMs } of tests) byName.set(name, (byName.get(name) ?? 0) + durationMs);
  const groups = packLongestFirst(
    [...byName].map(([name, ms]) => ({ key: name, ms })),
    count,
  );
  if (groups.length < 2) return [unit];
  const testsMs = [...byName.values()].reduce((sum, ms) => sum + ms, 0);
  const setUp = Math.max(0, unit.ms - testsMs);
  const named = groups.slice(0, -1).map((group) => group.map((test) => test.key));
  const patterns = [...named.map((names) => `^${anyOf(names)}$`), `^(?!${anyOf(named.flat())}$)`];
  return groups.map((group, index) => ({
    key: `${unit.key}\0${index}`,
    ms: setUp + group.reduce((sum, test) => sum + test.ms, 0),
    project: unit.project,
    files: unit.files,
    slice: { pattern: patterns[index]!, index: index + 1, of: groups.length },
  }));
}

/**
 * The units with each file far longer than an even share of a slot's work (and of two or more
 * measured tests) split into slices of its tests, as many as it holds shares, at most
 * `maxSlices`.
 */
function withSlices(all: readonly Unit[], options: SplitOptions, maxSlices: number): Unit[] {
  const tests = options.tests;
  if (tests === undefined || maxSlices < 2) return [...all];
  const share = all.reduce((sum, unit) => sum + unit.ms, 0) / Math.max(1, options.slots);
  return all.flatMap((unit) => {
    if (unit.files.length !== 1 || unit.ms <= SLICE_ABOVE_SHARES * share) return [unit];
    const measured = tests.get(join(unit.project.dir, unit.files[0]!));
    if (measured === undefined || new Set(measured.map((t) => t.name)).size < 2) return [unit];
    return sliced(unit, measured, Math.min(maxSlices, Math.ceil(unit.ms / share)));
  });
}

/**
 * The task's share of the machine: its slots, which the vitest runner turns into as many
 * vitest workers; one slot is said to vitest in the arguments. Arguments that set vitest's
 * parallelism themselves are left alone.
 */
function parallelism(
  args: readonly string[],
  slots: number,
): Pick<TaskSpecInput, 'requirements'> & { args: string[] } {
  if (setsVitestParallelism(args)) return { args: [...args] };
  if (slots === 1) return { args: [...args, '--maxWorkers=1'] };
  return { args: [...args], requirements: { slots } };
}

/**
 * The vitest tasks of a run: each project's files packed longest first into as many tasks as
 * the run's slots hold tasks of `slotsPerTask`, so that the run ends close to its total work
 * divided by its slots; a file far longer than its share is first split by its tests into
 * slices, each a task of one slot (see `withSlices`). With a shard, all files are first packed the same way into `total`
 * shards and only this job's are kept: every job given the same files and durations keeps a
 * disjoint part, and together they keep all.
 */
export function splitFiles(
  projects: readonly DiscoveredProject[],
  options: SplitOptions,
): SplitPlan {
  const estimate = estimates(projects, options.measured);
  let all = projects.flatMap((project) => units(project, estimate));
  const total = all.reduce((n, unit) => n + unit.files.length, 0);
  const measured = projects.reduce(
    (n, { dir, files }) =>
      n + files.filter(({ file }) => options.measured.has(join(dir, file))).length,
    0,
  );
  // A slice needs a slot of its own: at most one slot is left to the rest.
  all = withSlices(all, options, options.slots - 1);
  if (options.shard !== undefined) {
    const shards = packLongestFirst(all, options.shard.total);
    all = shards[options.shard.current - 1] ?? [];
  }
  const slices = all.filter((unit) => unit.slice !== undefined);
  const rest = all.filter((unit) => unit.slice === undefined);
  const slotsLeft = Math.max(1, options.slots - slices.length);
  const slotsPerTask = Math.max(1, Math.min(options.slotsPerTask, slotsLeft));
  const taskCount = Math.max(1, Math.floor(slotsLeft / slotsPerTask));
  const { shard } = options;
  const ofShard = shard === undefined ? '' : ` (shard ${shard.current}/${shard.total})`;
  const tasks: TaskSpecInput[] = [];
  const expectedMs: number[] = [];
  for (const project of projects) {
    const { name, args, env, warm } = project.project;
    for (const unit of slices.filter((u) => u.project === project)) {
      const { pattern, index, of } = unit.slice!;
      tasks.push({
        kind: 'vitest',
        name: `${name} ${unit.files[0]} (tests ${index}/${of})${ofShard}`,
        payload: {
          dir: project.dir,
          files: unit.files,
          testNamePattern: pattern,
          args: parallelism(args, 1).args,
          env,
          warm,
        },
        ...options.task,
      });
      expectedMs.push(unit.ms);
    }
    const bins = packLongestFirst(
      rest.filter((unit) => unit.project === project),
      taskCount,
    );
    const { args: taskArgs, ...requirements } = parallelism(args, slotsPerTask);
    for (const [index, bin] of bins.entries()) {
      tasks.push({
        kind: 'vitest',
        name: `${bins.length === 1 ? name : `${name} ${index + 1}/${bins.length}`}${ofShard}`,
        payload: {
          dir: project.dir,
          files: bin.flatMap((unit) => unit.files).sort(),
          args: taskArgs,
          env,
          warm,
        },
        ...requirements,
        ...options.task,
      });
      // Its files spread over its vitest workers.
      expectedMs.push(bin.reduce((sum, unit) => sum + unit.ms, 0) / slotsPerTask);
    }
  }
  const inShard = all.reduce((n, unit) => n + unit.files.length, 0);
  return { tasks, expectedMs, files: { total, measured, inShard } };
}
