import { resolve } from 'node:path';
import {
  type DtfConfig,
  type RunMeta,
  type ShardSpec,
  TaskSpec,
  type TaskSpecInput,
} from '../../protocol/index.js';
import { storeBundles } from '../discover/browser-bundle.js';
import { pageTestTasks } from '../discover/page-tests.js';
import {
  type DiscoveredProject,
  type MeasuredDurations,
  type MeasuredTests,
  splitFiles,
} from '../discover/split-files.js';
import { formatDuration } from '../format/duration.js';
import { printStatus } from '../output.js';
import type { Discovered } from './config-suite.js';
import type { RunSource } from './run-source.js';

/** `dtf run`'s options; those a config also sets are taken from it when the flag is absent. */
export interface RunOptions {
  out?: string;
  slots?: number;
  timeout?: number;
  meta?: RunMeta;
  dataDir?: string;
  reporter?: string[];
  config?: string;
  shard?: ShardSpec;
}

/** The flags, with what the config says where a flag is not given (its paths from `dir`). */
export function withConfigDefaults(
  flags: RunOptions,
  config: DtfConfig | undefined,
  dir: string,
): RunOptions {
  if (config === undefined) return flags;
  const options = { ...flags };
  options.out ??= config.out === undefined ? undefined : resolve(dir, config.out);
  options.slots ??= config.workers.slots;
  options.timeout ??= config.timeout;
  options.dataDir ??= config.dataDir === undefined ? undefined : resolve(dir, config.dataDir);
  options.shard ??= config.shard;
  for (const key of Object.keys(options) as Array<keyof RunOptions>) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}

/** The vitest tasks of the config's projects, split over `slots` (and this job's shard). */
export function planProjects(
  source: RunSource,
  projects: readonly DiscoveredProject[],
  shard: ShardSpec | undefined,
  slots: { total: number; perWorker: number },
  measured: { durations: MeasuredDurations; tests: MeasuredTests },
): TaskSpec[] {
  if (projects.length === 0) return [];
  const task: Pick<TaskSpecInput, 'timeoutMs' | 'retry'> = {};
  if (source.config?.taskTimeout !== undefined) task.timeoutMs = source.config.taskTimeout;
  if (source.config?.retries !== undefined) task.retry = { maxRetries: source.config.retries };
  const plan = splitFiles(projects, {
    slots: Math.max(1, slots.total),
    slotsPerTask: slots.perWorker,
    shard,
    measured: measured.durations,
    tests: measured.tests,
    task,
  });
  const { total, measured: known, inShard } = plan.files;
  const longest = Math.max(0, ...plan.expectedMs);
  const found = `${total} test file(s), ${known} with a measured duration`;
  if (plan.tasks.length === 0) {
    printStatus(`${found}; shard ${shard?.current}/${shard?.total} has none of them to run`);
    return [];
  }
  const part =
    shard === undefined ? '' : `shard ${shard.current}/${shard.total}: ${inShard} of them, `;
  const sliced = new Map<string, number>();
  for (const task of plan.tasks) {
    if (task.kind !== 'vitest' || task.payload.testNamePattern === undefined) continue;
    const [file = ''] = task.payload.files ?? [];
    sliced.set(file, (sliced.get(file) ?? 0) + 1);
  }
  const slicing = [...sliced].map(([file, n]) => `; ${file} split by its tests into ${n}`).join('');
  printStatus(
    `${found}; ${part}${plan.tasks.length} task(s) over ${slots.total} slot(s)${slicing}, the longest expected to take ${formatDuration(longest)}`,
  );
  return plan.tasks.map((spec) => TaskSpec.parse(spec));
}

/** The page-test tasks of the config's page-test projects (this job's part, with a shard). */
export function planPageTests(discovered: Discovered, shard: ShardSpec | undefined): TaskSpec[] {
  return pageTestTasks(discovered.pages, shard).map((spec) => TaskSpec.parse(spec));
}

/** Stores each page test's bundle with the coordinator, which serves it to the pages. */
export async function storePageTests(
  discovered: Discovered,
  baseHttpUrl: string,
  token: string | undefined,
): Promise<void> {
  const bundles = discovered.pages.flatMap((project) => project.bundles.map((b) => b.code));
  if (bundles.length === 0) return;
  await storeBundles(bundles, baseHttpUrl, token);
  printStatus(`${bundles.length} page test(s) bundled and stored with the coordinator`);
}
