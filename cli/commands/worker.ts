import os from 'node:os';
import type { Command } from 'commander';
import { type Labels, MAX_DRAIN_GRACE_MS } from '../../protocol/index.js';
import { DEFAULT_DRAIN_GRACE_MS } from '../../worker-core/index.js';
import { coordinatorAccess } from '../connection.js';
import { drainOnSignal } from '../drain-on-signal.js';
import { createLogger } from '../logger.js';
import { integerIn, positiveInteger } from '../options/integers.js';
import { collectLabel } from '../options/labels.js';
import { collectPlugin } from '../options/plugins.js';
import { printLine } from '../output.js';

interface WorkerCommandOptions {
  slots: number;
  label?: Labels;
  name?: string;
  drainGraceMs: number;
  plugin?: string[];
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
      collectPlugin,
    )
    .action(async (options: WorkerCommandOptions, command: Command) => {
      // Loaded here so that client commands do not load the worker and its runners.
      const { startWorker } = await import('../../node-worker/index.js');
      const { loadPlugins } = await import('../plugins/load-plugins.js');
      const plugins = await loadPlugins(options.plugin ?? [], process.cwd(), '--plugin');
      const logger = createLogger();
      const access = coordinatorAccess(command);
      const worker = await startWorker({
        coordinatorUrls: access.urls,
        token: access.token,
        slots: options.slots,
        labels: options.label ?? {},
        name: options.name,
        logger,
        drainGraceMs: options.drainGraceMs,
        runners: plugins.runners,
      });
      drainOnSignal(worker, logger);
      // A refused token is final: both reject with the problem, and the command fails with it.
      await worker.registered;
      const runners = [...plugins.runners.keys()];
      const running = runners.length === 0 ? '' : `, plugin runners: ${runners.join(', ')}`;
      printLine(`DTF worker ${worker.workerId} registered${running}`);
      await Promise.race([worker.refused, worker.stopped]);
    });
}
