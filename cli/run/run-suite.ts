import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type DtfClient, toHttpUrl } from '../../client/index.js';
import type { Suite, TaskSpecInput, TaskView } from '../../protocol/index.js';
import { ConfigError } from '../config/config-error.js';
import { type CoordinatorAccess, connectClient, coordinatorAccess } from '../connection.js';
import { storeBundles } from '../discover/browser-bundle.js';
import { measuredDurations, nodeSlots } from '../discover/run-history.js';
import { waitWithProgress } from '../follow-tasks.js';
import { formatDuration } from '../format/duration.js';
import { createLogger } from '../logger.js';
import { parseCoordinatorUrls } from '../options/coordinator-urls.js';
import { printStatus } from '../output.js';
import { missingNodeRunner } from '../plugins/missing-runner.js';
import { RunLifecycle } from '../plugins/run-lifecycle.js';
import { judgeCell, type MatrixCell } from '../report/matrix-cells.js';
import { DEFAULT_REPORTERS, resolveReporters, runReporters } from '../report/reporters/index.js';
import { caseResults, quarantineFailures } from '../report/run-results.js';
import { buildSuiteReport, type SuiteReport } from '../report/suite-report.js';
import { newGroupId } from '../specs/group-id.js';
import { UsageError } from '../usage-error.js';
import {
  planPageTests,
  planProjects,
  type RunOptions,
  storePageTests,
  withConfigDefaults,
} from './config-options.js';
import { type EmbeddedCluster, startEmbeddedCluster } from './embedded-cluster.js';
import { matrixTasks } from './matrix-tasks.js';
import { once } from './once.js';
import { type LoadedModels, loadModels, storeModels } from './prepare-models.js';
import { runMeta } from './run-meta.js';
import { type RunSource, runSource } from './run-source.js';
import { prepareShardedModels, type ShardedModel } from './sharded-models.js';
import {
  runShardedCells,
  type ShardedRunsOptions,
  type ShardedRunsOutcome,
} from './sharded-runs.js';
import { quarantinedTests, StoredRun, workerPlatforms } from './stored-run.js';
import { suitePool } from './suite-pool.js';
import { checkTaskDirectories } from './task-directories.js';

/** How a run ended, once its reporters have written. */
export interface RunOutcome {
  report: SuiteReport;
  /** Where the reporters wrote, and what. */
  outDir: string;
  files: string[];
  reportersOk: boolean;
  /** Why the run gave up waiting, when `--timeout` ran out. */
  timedOut?: string;
}

/** `names` with each of `also` the run needs besides (`dtf ci`'s JUnit), once. */
function withAlso(names: readonly string[], also: readonly string[]): string[] {
  return [...names, ...also.filter((name) => !names.includes(name))];
}

/** The vitest test files the config's projects found, absolute. */
async function discoveredFiles(source: RunSource): Promise<string[]> {
  const { vitest } = await source.projects;
  return vitest.flatMap(({ dir, files }) => files.map(({ file }) => join(dir, file)));
}

/** Every task of the suite, matrix cells first, all in the run's group. */
async function submitSuite(
  client: DtfClient,
  access: CoordinatorAccess,
  suite: Suite,
  models: LoadedModels | undefined,
  group: string,
  lifecycle: RunLifecycle,
): Promise<void> {
  const tasks: TaskSpecInput[] = suite.tasks.map((task) => ({ ...task, group }));
  if (suite.matrix !== undefined && models !== undefined) {
    // The leader the client found: any member may be down.
    const stored = await storeModels(models, toHttpUrl(client.url), access.token, printStatus);
    tasks.unshift(...matrixTasks(suite.matrix, stored, group));
  }
  await lifecycle.runStart({ suite: suite.name, group, tasks: tasks.length });
  printStatus(`running suite '${suite.name}': ${tasks.length} task(s) in group ${group}`);
  await client.submit(tasks);
}

/** The suite's sharded runs, one after another, once its tasks have ended. */
function runSharded(
  client: DtfClient,
  access: CoordinatorAccess,
  suite: Suite,
  sharded: readonly ShardedModel[],
  group: string,
  deadline: ShardedRunsOptions['deadline'],
): Promise<ShardedRunsOutcome> {
  const matrix = suite.matrix;
  if (matrix?.sharding === undefined || sharded.length === 0) {
    return Promise.resolve({ cells: [], timedOut: false });
  }
  return runShardedCells({
    client,
    token: access.token,
    matrix: { ...matrix, sharding: matrix.sharding },
    models: sharded,
    group,
    deadline,
    stream: process.stderr,
  });
}

function judgeMatrix(suite: Suite, models: LoadedModels | undefined, tasks: readonly TaskView[]) {
  const cells = new Map<string, MatrixCell>();
  if (suite.matrix === undefined || models === undefined) return cells;
  for (const task of tasks) {
    const cell = judgeCell(task, models.references, suite.matrix);
    if (cell !== undefined) cells.set(task.id, cell);
  }
  return cells;
}

/**
 * `dtf run` (and `dtf ci`): the suite or config, on its own coordinator or the one given, to
 * the end of its reporters; `also` names reporters it needs whatever the run asks for.
 */
export async function runSuite(
  file: string | undefined,
  flags: RunOptions,
  command: Command,
  also: readonly string[] = [],
): Promise<RunOutcome> {
  const source = await runSource(file, flags.config);
  const { what, suite, dir: suiteDir, config } = source;
  const options = withConfigDefaults(flags, config, suiteDir);
  const discovering = (config?.projects.length ?? 0) > 0;
  if (options.shard !== undefined && !discovering) {
    throw new UsageError("--shard splits the test files of a config's projects: this run has none");
  }
  const meta = runMeta(options.meta ?? {}, process.env, suiteDir);
  meta.catch(() => undefined);
  const { plugins, modules } = source;
  const reporters = [
    ...(options.reporter !== undefined
      ? await resolveReporters(withAlso(options.reporter, also), process.cwd())
      : await resolveReporters(withAlso(suite.reporters ?? DEFAULT_REPORTERS, also), suiteDir)),
    ...plugins.reporters,
  ];
  const lifecycle = new RunLifecycle(plugins.plugins);
  const flagged = command.optsWithGlobals<{ coordinator?: string[] }>().coordinator !== undefined;
  const given = flagged || config?.coordinator !== undefined;
  if (given && options.dataDir !== undefined) {
    throw new UsageError(
      '--data-dir is where the coordinator dtf run starts keeps its data: with --coordinator, that coordinator keeps the results',
    );
  }
  // Everything the suite names is checked before anything starts; with a coordinator of
  // the user's, the test files are found while the run connects to it.
  const discovered = given ? undefined : await source.projects;
  if (discovered !== undefined) suite.tasks.push(...planPageTests(discovered, options.shard));
  const browsers = given ? {} : suitePool(suite, what);
  if (!given) {
    await checkTaskDirectories(suite, what);
    const missing = missingNodeRunner(suite.tasks, plugins.runners);
    if (missing !== undefined) throw new ConfigError(`${what}: ${missing}`);
  }
  const models = suite.matrix === undefined ? undefined : await loadModels(suite.matrix, what);
  const sharded =
    suite.matrix === undefined || models === undefined
      ? []
      : await prepareShardedModels(suite.matrix, models, what);
  let cluster: EmbeddedCluster | undefined;
  let access: CoordinatorAccess;
  if (given) {
    access = coordinatorAccess(command);
    if (!flagged) access.urls = config!.coordinator!.flatMap(parseCoordinatorUrls);
  } else {
    const nodeWorkers = config?.workers.count ?? 1;
    const browserCount = Object.values(browsers).reduce((sum, n) => sum + n, 0);
    printStatus(
      `starting a coordinator, ${nodeWorkers === 1 ? 'a Node worker' : `${nodeWorkers} Node workers`}${browserCount === 0 ? '' : ` and ${browserCount} browser(s)`} in this process…`,
    );
    cluster = await startEmbeddedCluster({
      logger: createLogger('warn'),
      slots: options.slots,
      nodeWorkers: config?.workers.count,
      browsers,
      progress: printStatus,
      dataDir: options.dataDir === undefined ? undefined : resolve(options.dataDir),
      runners: plugins.runners,
      schedulerHooks: plugins.scheduler,
    });
    access = cluster.access;
  }
  try {
    const client = await connectClient(access);
    try {
      const group = newGroupId();
      const startedAt = new Date();
      if (discovering) {
        const perWorker = options.slots ?? cpus().length;
        const notCommit = options.shard === undefined ? undefined : (await meta).commit;
        const [found, slots, measured] = await Promise.all([
          source.projects,
          given
            ? nodeSlots(client.url, access)
            : { total: (config?.workers.count ?? 1) * perWorker, perWorker },
          measuredDurations(client, access, suite.name, notCommit, discoveredFiles(source)),
        ]);
        if (discovered === undefined) suite.tasks.push(...planPageTests(found, options.shard));
        await storePageTests(found, toHttpUrl(client.url), access.token);
        const planned = planProjects(source, found.vitest, options.shard, slots, measured);
        suite.tasks = [...suite.tasks, ...planned];
      }
      await storeBundles(modules, toHttpUrl(client.url), access.token);
      const stored = await StoredRun.open(client.url, access, group, suite.name, await meta);
      await submitSuite(client, access, suite, models, group, lifecycle);
      const { timedOut } = await waitWithProgress(
        client,
        { group },
        {
          timeoutMs: options.timeout,
          onTimeout: async (message) => {
            printStatus(`${message}\ncancelling the tasks that have not ended…`);
            await client.cancel({ group });
          },
          onEnded: (event) => lifecycle.taskEnd(event),
        },
      );
      const shardedRuns = await runSharded(
        client,
        access,
        suite,
        sharded,
        group,
        options.timeout === undefined
          ? undefined
          : { at: startedAt.getTime() + options.timeout, timeoutMs: options.timeout },
      );
      const tasks = await client.query({ group, limit: 10_000 });
      const cells = judgeMatrix(suite, models, tasks);
      const report = buildSuiteReport(
        suite.name,
        group,
        startedAt,
        Date.now() - startedAt.getTime(),
        tasks,
        cells,
        shardedRuns.cells,
      );
      const pairs = caseResults(report, await workerPlatforms(client.url, access.token));
      quarantineFailures(report, pairs, await quarantinedTests(client.url, access.token));
      const results = pairs.map(({ result }) => result);
      const hooksOk = await lifecycle.runEnd(report);
      const outDir = options.out ?? 'reports';
      const { files, ok } = await runReporters(reporters, report, outDir, {
        results,
        run: stored?.run,
        previous: once(() => stored?.previous() ?? Promise.resolve(undefined)),
        history: once(() => stored?.history() ?? Promise.resolve(undefined)),
      });
      if (files.length > 0) printStatus(`reports: ${files.join(', ')}`);
      const suiteTimedOut = timedOut !== undefined || shardedRuns.timedOut;
      const status = suiteTimedOut ? 'timed_out' : report.passed ? 'passed' : 'failed';
      const kept = await stored?.finish(results, status);
      // A temp data dir goes with the run: nothing is kept there to point to.
      if (kept !== undefined && (given || options.dataDir !== undefined)) {
        printStatus(
          `results kept as run ${kept.id} (${kept.counts.results} results): dtf runs, dtf results --run ${kept.id}`,
        );
      }
      const outcome: RunOutcome = { report, outDir, files, reportersOk: ok && hooksOk };
      if (suiteTimedOut) {
        outcome.timedOut = `suite '${suite.name}' timed out after ${formatDuration(options.timeout!)} (--timeout); what had not ended was cancelled`;
      }
      return outcome;
    } finally {
      await client.close();
    }
  } finally {
    await cluster?.stop();
  }
}
