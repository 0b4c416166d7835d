import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type DtfClient, toHttpUrl } from '../../client/index.js';
import type { Suite, TaskSpecInput, TaskView } from '../../protocol/index.js';
import { type CoordinatorAccess, connectClient, coordinatorAccess } from '../connection.js';
import { measuredDurations, nodeSlots } from '../discover/run-history.js';
import { waitWithProgress } from '../follow-tasks.js';
import { formatDuration } from '../format/duration.js';
import { createLogger } from '../logger.js';
import { parseCoordinatorUrls } from '../options/coordinator-urls.js';
import { durationMs } from '../options/duration.js';
import { positiveInteger } from '../options/integers.js';
import { collectMeta } from '../options/run-meta.js';
import { shardSpec } from '../options/shard.js';
import { printStatus } from '../output.js';
import { judgeCell, type MatrixCell } from '../report/matrix-cells.js';
import { DEFAULT_REPORTERS, resolveReporters, runReporters } from '../report/reporters/index.js';
import { caseResults, quarantineFailures } from '../report/run-results.js';
import { buildSuiteReport } from '../report/suite-report.js';
import { planProjects, type RunOptions, withConfigDefaults } from '../run/config-options.js';
import { type EmbeddedCluster, startEmbeddedCluster } from '../run/embedded-cluster.js';
import { matrixTasks } from '../run/matrix-tasks.js';
import { once } from '../run/once.js';
import { type LoadedModels, loadModels, storeModels } from '../run/prepare-models.js';
import { runMeta } from '../run/run-meta.js';
import { runSource } from '../run/run-source.js';
import { prepareShardedModels, type ShardedModel } from '../run/sharded-models.js';
import {
  runShardedCells,
  type ShardedRunsOptions,
  type ShardedRunsOutcome,
} from '../run/sharded-runs.js';
import { quarantinedTests, StoredRun, workerPlatforms } from '../run/stored-run.js';
import { suitePool } from '../run/suite-pool.js';
import { checkTaskDirectories } from '../run/task-directories.js';
import { newGroupId } from '../specs/group-id.js';
import { UsageError } from '../usage-error.js';

/** Every task of the suite, matrix cells first, all in the run's group. */
async function submitSuite(
  client: DtfClient,
  access: CoordinatorAccess,
  suite: Suite,
  models: LoadedModels | undefined,
  group: string,
): Promise<void> {
  const tasks: TaskSpecInput[] = suite.tasks.map((task) => ({ ...task, group }));
  if (suite.matrix !== undefined && models !== undefined) {
    // The leader the client found: any member may be down.
    const stored = await storeModels(models, toHttpUrl(client.url), access.token, printStatus);
    tasks.unshift(...matrixTasks(suite.matrix, stored, group));
  }
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

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'run the config (dtf.config.ts) or a suite file and report each test; without --coordinator, starts its own coordinator, Node worker(s) and browsers',
    )
    .argument(
      '[suite]',
      'suite JSON file ({ "name", "tasks": [task specs], "matrix": { models, targets } }) or config file; default: the dtf.config.* of this directory',
    )
    .option('--config <file>', 'the config file to run (default: dtf.config.* in this directory)')
    .option(
      '--shard <i/n>',
      "run part i of n of the config's test files, split by their last durations (one CI job each; join the reports with dtf merge-reports)",
      shardSpec,
    )
    .option('--out <dir>', 'directory for the reports the reporters write (default: reports)')
    .option(
      '--reporter <name>',
      "how to report the run (repeatable): list, json, junit, markdown, html, or a module's path (default: the suite's reporters, else list, json and junit)",
      (name: string, previous: string[] | undefined) => [...(previous ?? []), name],
    )
    .option(
      '--slots <n>',
      'task slots of each embedded Node worker (default: CPU count)',
      positiveInteger,
    )
    .option(
      '--timeout <duration>',
      'give up waiting for the tasks after this long (500ms, 90s, 10m, 1h; bare numbers are seconds): cancel what has not ended, report, exit 1',
      durationMs,
    )
    .option(
      '--meta <key=value>',
      'describe the run in the results store (repeatable); commit, branch and build default to what the CI system or git says',
      collectMeta,
    )
    .option(
      '--data-dir <dir>',
      'without --coordinator: keep the database of the coordinator dtf run starts, and so the results of every run, in this dir (default: a temp dir, removed at exit)',
    )
    .action(async (file: string | undefined, flags: RunOptions, command: Command) => {
      const source = await runSource(file, flags.config);
      const { what, suite, dir: suiteDir, config } = source;
      const options = withConfigDefaults(flags, config, suiteDir);
      const discovering = (config?.projects.length ?? 0) > 0;
      if (options.shard !== undefined && !discovering) {
        throw new UsageError(
          "--shard splits the test files of a config's projects: this run has none",
        );
      }
      const meta = runMeta(options.meta ?? {}, process.env, suiteDir);
      meta.catch(() => undefined);
      const reporters =
        options.reporter !== undefined
          ? await resolveReporters(options.reporter, process.cwd())
          : await resolveReporters(suite.reporters ?? DEFAULT_REPORTERS, suiteDir);
      const flagged =
        command.optsWithGlobals<{ coordinator?: string[] }>().coordinator !== undefined;
      const given = flagged || config?.coordinator !== undefined;
      if (given && options.dataDir !== undefined) {
        throw new UsageError(
          '--data-dir is where the coordinator dtf run starts keeps its data: with --coordinator, that coordinator keeps the results',
        );
      }
      // Everything the suite names is checked before anything starts; with a coordinator of
      // the user's, the test files are found while the run connects to it.
      if (!given) await source.projects;
      const browsers = given ? {} : suitePool(suite, what);
      if (!given) await checkTaskDirectories(suite, what);
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
            const [projects, slots, measured] = await Promise.all([
              source.projects,
              given
                ? nodeSlots(client.url, access)
                : { total: (config?.workers.count ?? 1) * perWorker, perWorker },
              measuredDurations(client, access, suite.name, notCommit),
            ]);
            const planned = planProjects(source, projects, options.shard, slots, measured);
            suite.tasks = [...suite.tasks, ...planned];
          }
          const stored = await StoredRun.open(client.url, access, group, suite.name, await meta);
          await submitSuite(client, access, suite, models, group);
          const { timedOut } = await waitWithProgress(
            client,
            { group },
            {
              timeoutMs: options.timeout,
              onTimeout: async (message) => {
                printStatus(`${message}\ncancelling the tasks that have not ended…`);
                await client.cancel({ group });
              },
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
          const { files, ok } = await runReporters(reporters, report, options.out ?? 'reports', {
            results,
            run: stored?.run,
            previous: once(() => stored?.previous() ?? Promise.resolve(undefined)),
            history: once(() => stored?.history() ?? Promise.resolve(undefined)),
          });
          if (files.length > 0) printStatus(`reports: ${files.join(', ')}`);
          if (!ok) process.exitCode = 1;
          const suiteTimedOut = timedOut !== undefined || shardedRuns.timedOut;
          const status = suiteTimedOut ? 'timed_out' : report.passed ? 'passed' : 'failed';
          const kept = await stored?.finish(results, status);
          // A temp data dir goes with the run: nothing is kept there to point to.
          if (kept !== undefined && (given || options.dataDir !== undefined)) {
            printStatus(
              `results kept as run ${kept.id} (${kept.counts.results} results): dtf runs, dtf results --run ${kept.id}`,
            );
          }
          if (suiteTimedOut) {
            throw new Error(
              `suite '${suite.name}' timed out after ${formatDuration(options.timeout!)} (--timeout); what had not ended was cancelled`,
            );
          }
          if (!report.passed) process.exitCode = 1;
        } finally {
          await client.close();
        }
      } finally {
        await cluster?.stop();
      }
    });
}
