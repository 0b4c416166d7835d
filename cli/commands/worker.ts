import os from 'node:os';
import type { Command } from 'commander';
import type { Labels } from '../../protocol/index.js';
import { coordinatorAccess } from '../connection.js';
import { createLogger } from '../logger.js';
import { positiveInteger } from '../options/integers.js';
import { collectLabel } from '../options/labels.js';
import { printLine } from '../output.js';
import { stopOnSignal } from '../stop-on-signal.js';

interface WorkerCommandOptions {
  slots: number;
  label?: Labels;
  name?: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Node worker that takes tasks from the coordinator')
    .option('--slots <n>', 'tasks to run at once', positiveInteger, os.cpus().length)
    .option('--label <key=value>', 'a label of this worker (repeatable)', collectLabel)
    .option('--name <name>', 'a readable name for this worker')
    .action(async (options: WorkerCommandOptions, command: Command) => {
      // Loaded here so that client commands do not load the worker and its runners.
      const { startWorker } = await import('../../node-worker/index.js');
      const logger = createLogger();
      const access = coordinatorAccess(command);
      const worker = await startWorker({
        coordinatorUrls: access.urls,
        token: access.token,
        slots: options.slots,
        labels: options.label ?? {},
        name: options.name,
        logger,
      });
      stopOnSignal(() => worker.stop(), logger);
      await worker.registered;
      printLine(`DTF worker ${worker.workerId} registered`);
    });
}
