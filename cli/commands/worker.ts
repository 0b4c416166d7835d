import os from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Labels, MAX_DRAIN_GRACE_MS } from '../../protocol/index.js';
import {
  DEFAULT_DRAIN_GRACE_MS,
  DEFAULT_SCALE_DOWN_AFTER_MS,
  DEFAULT_WORKER_MB,
} from '../../worker-core/index.js';
import { type CoordinatorAccess, coordinatorAccess } from '../connection.js';
import { drainOnSignal } from '../drain-on-signal.js';
import { createLogger } from '../logger.js';
import { durationMs } from '../options/duration.js';
import { integerIn, positiveInteger } from '../options/integers.js';
import { collectLabel } from '../options/labels.js';
import { collectRepeated } from '../options/repeated.js';
import { printLine, printStatus } from '../output.js';
import { queueDepth } from '../queue-depth.js';
import { UsageError } from '../usage-error.js';

interface WorkerCommandOptions {
  slots: number;
  label?: Labels;
  name?: string;
  drainGraceMs: number;
  plugin?: string[];
  min?: number;
  max?: number;
  scaleDownAfter: number;
  workerMb: number;
  allowCommand?: string[];
  denyShell?: boolean;
  workDir?: string;
  taskCpuSeconds?: number;
  taskMemoryMb?: number;
}

/** `--min` and `--max`, checked: both or neither. */
function autoscaling(options: WorkerCommandOptions): { min: number; max: number } | undefined {
  const { min, max } = options;
  if (min === undefined && max === undefined) return undefined;
  if (min === undefined || max === undefined) {
    throw new UsageError('--min and --max go together: the workers autoscale between them');
  }
  if (min > max) throw new UsageError(`--min ${min} is more than --max ${max}`);
  return { min, max };
}

/**
 * What a new worker of the group is, as `/api/queue` asks: its slots, its labels and every
 * feature it reports (the probed ones and its plugin runners').
 */
function groupQuery(
  options: WorkerCommandOptions,
  features: readonly string[],
): Record<string, string> {
  const labels = Object.entries(options.label ?? {});
  for (const [key, value] of labels) {
    if (`${key}${value}`.includes(',')) {
      throw new UsageError(`label ${key}=${value}: an autoscaled worker's labels hold no ','`);
    }
  }
  const query: Record<string, string> = { worker: 'node', slots: String(options.slots) };
  if (labels.length > 0) query.labels = labels.map(([k, v]) => `${k}=${v}`).join(',');
  if (features.length > 0) query.features = features.join(',');
  return query;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Node worker that takes tasks from the coordinator')
    .option('--slots <n>', 'tasks to run at once', positiveInteger, os.cpus().length)
    .option('--label <key=value>', 'a label of this worker (repeatable)', collectLabel)
    .option('--name <name>', 'a readable name for this worker')
    .option(
      '--drain-grace-ms <ms>',
      'on SIGTERM/SIGINT or `dtf drain`: how long running tasks may take before they are handed back',
      integerIn(0, MAX_DRAIN_GRACE_MS),
      DEFAULT_DRAIN_GRACE_MS,
    )
    .option(
      '--plugin <module>',
      'a plugin module whose runners this worker runs (repeatable; docs/plugins.md)',
      collectRepeated,
    )
    .option(
      '--min <n>',
      'autoscale: run at least this many workers of --slots each in this process (with --max)',
      integerIn(0, 64),
    )
    .option(
      '--max <n>',
      'autoscale: one more worker for every --slots queued tasks it could take, up to this many',
      integerIn(1, 64),
    )
    .option(
      '--scale-down-after <duration>',
      'autoscale: drain idle workers above --min once the queue has been empty this long',
      durationMs,
      DEFAULT_SCALE_DOWN_AFTER_MS,
    )
    .option(
      '--worker-mb <mb>',
      'autoscale: the memory one more worker is taken to need; none is added without it free',
      positiveInteger,
      DEFAULT_WORKER_MB,
    )
    .option(
      '--allow-command <program>',
      'command tasks may run only this program (a name on the PATH, or a path; repeatable); no shell scripts then',
      collectRepeated,
    )
    .option('--deny-shell', 'refuse command tasks that are shell scripts (shell: true)')
    .option(
      '--work-dir <dir>',
      'command tasks run in this directory, or one below it they name; none outside it',
    )
    .option(
      '--task-cpu-seconds <n>',
      'CPU seconds each process of a command task may use (needs prlimit)',
      positiveInteger,
    )
    .option(
      '--task-memory-mb <mb>',
      'memory each process of a command task may allocate (needs prlimit)',
      positiveInteger,
    )
    .action(async (options: WorkerCommandOptions, command: Command) => {
      const scale = autoscaling(options);
      // Loaded here so that client commands do not load the worker and its runners.
      const { checkLimitsApply, probeCapabilities, startWorker, startWorkerGroup } = await import(
        '../../node-worker/index.js'
      );
      const limits = {
        allowCommands: options.allowCommand,
        denyShell: options.denyShell,
        workDir: options.workDir === undefined ? undefined : resolve(options.workDir),
        cpuSeconds: options.taskCpuSeconds,
        memoryMb: options.taskMemoryMb,
      };
      try {
        checkLimitsApply(limits);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const { loadPlugins } = await import('../plugins/load-plugins.js');
      const { runnerFeature } = await import('../../protocol/index.js');
      const plugins = await loadPlugins(options.plugin ?? [], process.cwd(), '--plugin');
      const logger = createLogger();
      const access: CoordinatorAccess = coordinatorAccess(command);
      const workerOptions = {
        coordinatorUrls: access.urls,
        token: access.token,
        slots: options.slots,
        labels: options.label ?? {},
        name: options.name,
        logger,
        drainGraceMs: options.drainGraceMs,
        runners: plugins.runners,
        limits,
      };
      const runners = [...plugins.runners.keys()];
      const running = runners.length === 0 ? '' : `, plugin runners: ${runners.join(', ')}`;
      if (scale === undefined) {
        const worker = await startWorker(workerOptions);
        drainOnSignal(worker, logger);
        // A refused token is final: both reject with the problem, and the command fails with it.
        await worker.registered;
        printLine(`DTF worker ${worker.workerId} registered${running}`);
        await Promise.race([worker.refused, worker.stopped]);
        return;
      }
      const probed = await probeCapabilities();
      const features = [...probed.features, ...runners.map(runnerFeature)];
      const group = await startWorkerGroup({
        ...workerOptions,
        ...scale,
        scaleDownAfterMs: options.scaleDownAfter,
        workerMb: options.workerMb,
        queued: queueDepth(access, groupQuery(options, features)),
        onScaled: ({ from, to, reason }) =>
          printStatus(`scaling Node workers from ${from} to ${to}: ${reason}`),
      });
      drainOnSignal(group, logger);
      await Promise.race([group.registered, group.refused]);
      printLine(
        `DTF workers autoscaling between ${scale.min} and ${scale.max} of ${options.slots} slot(s): ${group.workerIds().length} registered${running}`,
      );
      await Promise.race([group.refused, group.stopped]);
    });
}
