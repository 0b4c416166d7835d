import { join } from 'node:path';
import picomatch from 'picomatch';
import type { ShardSpec, TaskSpecInput, VitestProject } from '../../protocol/index.js';
import { packLongestFirst, type Weighted } from './pack.js';

/** A vitest project with the test files found for it. */
export interface DiscoveredProject {
  project: VitestProject;
  /** The project's directory, absolute. */
  dir: string;
  /** Its test files, relative to `dir`, with their sizes. */
  files: ReadonlyArray<{ file: string; bytes: number }>;
}

/** What the suite's last run measured. */
export interface MeasuredDurations {
  /** How long each test file took, by its absolute path. */
  files: ReadonlyMap<string, number>;
  /** How long each task took, by `taskKey`: what running files together costs is their task's time. */
  tasks: ReadonlyMap<string, number>;
}

/** A vitest task's key in `MeasuredDurations.tasks`: its project directory and its files. */
export const taskKey = (dir: string, files: readonly string[]) =>
  [dir, ...[...files].sort()].join('\0');

/** What an unmeasured file is taken to cost per KB while no file is measured to calibrate it. */
const DEFAULT_MS_PER_KB = 50;

/** Files that run in one vitest process, and how long they are expected to take together. */
interface Unit extends Weighted {
  project: DiscoveredProject;
  files: string[];
  /** The project's `together` files: always a task of their own. */
  together?: true;
}

export interface SplitOptions {
  /** Task slots the run has: a project's files are packed into at most this many tasks. */
  slots: number;
  shard?: ShardSpec | undefined;
  measured: MeasuredDurations;
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
 * rate the measured files ran at (or a default rate while none is measured).
 */
function estimates(projects: readonly DiscoveredProject[], measured: MeasuredDurations) {
  let ms = 0;
  let bytes = 0;
  for (const { dir, files } of projects) {
    for (const { file, bytes: size } of files) {
      const known = measured.files.get(join(dir, file));
      if (known === undefined) continue;
      ms += known;
      bytes += size;
    }
  }
  const msPerByte = ms > 0 && bytes > 0 ? ms / bytes : DEFAULT_MS_PER_KB / 1_024;
  return (dir: string, file: string, size: number) =>
    measured.files.get(join(dir, file)) ?? Math.max(1, size * msPerByte);
}

/** A project's files as units: those its `together` globs match as one, every other alone. */
function units(
  project: DiscoveredProject,
  estimate: ReturnType<typeof estimates>,
  measured: MeasuredDurations,
): Unit[] {
  const together = picomatch(project.project.together, { dot: true });
  const grouped: Unit = { key: '', ms: 0, project, files: [], together: true };
  const alone: Unit[] = [];
  for (const { file, bytes } of project.files) {
    const ms = estimate(project.dir, file, bytes);
    if (project.project.together.length > 0 && together(file)) {
      grouped.files.push(file);
      grouped.ms += ms;
    } else {
      alone.push({ key: `${project.project.name}\0${file}`, ms, project, files: [file] });
    }
  }
  if (grouped.files.length === 0) return alone;
  grouped.key = `${project.project.name}\0${grouped.files[0]}`;
  grouped.ms = measured.tasks.get(taskKey(project.dir, grouped.files)) ?? grouped.ms;
  return [grouped, ...alone];
}

/**
 * A project's units packed onto `slots` tasks: its `together` files in a task of their own (they
 * are there because a process's setup for them costs more than they do) and the rest packed
 * longest first onto the other slots.
 */
function projectBins(units: readonly Unit[], slots: number): Unit[][] {
  const grouped = units.find((unit) => unit.together);
  if (grouped === undefined || slots === 1 || units.length === 1) {
    return packLongestFirst(units, slots);
  }
  return [
    [grouped],
    ...packLongestFirst(
      units.filter((unit) => unit !== grouped),
      slots - 1,
    ),
  ];
}

const OWN_PARALLELISM = /^--(maxWorkers|max-workers|fileParallelism|no-file-parallelism|pool)\b/;

/** One slot, one vitest worker: the arguments, unless they set vitest's parallelism already. */
function oneWorker(args: readonly string[]): string[] {
  return args.some((arg) => OWN_PARALLELISM.test(arg)) ? [...args] : [...args, '--maxWorkers=1'];
}

/**
 * The vitest tasks of a run: the files of each project packed onto the run's slots longest
 * first, so that the run ends close to its total work divided by its slots. With a shard, all
 * files are first packed the same way into `total` shards and only this job's are kept: every
 * job given the same files and durations keeps a disjoint part, and together they keep all.
 */
export function splitFiles(
  projects: readonly DiscoveredProject[],
  options: SplitOptions,
): SplitPlan {
  const estimate = estimates(projects, options.measured);
  let all = projects.flatMap((project) => units(project, estimate, options.measured));
  const total = all.reduce((n, unit) => n + unit.files.length, 0);
  const measured = projects.reduce(
    (n, { dir, files }) =>
      n + files.filter(({ file }) => options.measured.files.has(join(dir, file))).length,
    0,
  );
  if (options.shard !== undefined) {
    const shards = packLongestFirst(all, options.shard.total);
    all = shards[options.shard.current - 1] ?? [];
  }
  const tasks: TaskSpecInput[] = [];
  const expectedMs: number[] = [];
  for (const project of projects) {
    const bins = projectBins(
      all.filter((unit) => unit.project === project),
      options.slots,
    );
    const { name, args, env } = project.project;
    const { shard } = options;
    const ofShard = shard === undefined ? '' : ` (shard ${shard.current}/${shard.total})`;
    for (const [index, bin] of bins.entries()) {
      tasks.push({
        kind: 'vitest',
        name: `${bins.length === 1 ? name : `${name} ${index + 1}/${bins.length}`}${ofShard}`,
        payload: {
          dir: project.dir,
          files: bin.flatMap((unit) => unit.files).sort(),
          args: oneWorker(args),
          env,
        },
        ...options.task,
      });
      expectedMs.push(bin.reduce((sum, unit) => sum + unit.ms, 0));
    }
  }
  const inShard = all.reduce((n, unit) => n + unit.files.length, 0);
  return { tasks, expectedMs, files: { total, measured, inShard } };
}
