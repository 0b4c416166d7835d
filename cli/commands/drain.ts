import type { Command } from 'commander';
import { drainWorker, HttpError } from '../../client/index.js';
import { MAX_DRAIN_GRACE_MS, type RestDrainWorkerReply } from '../../protocol/index.js';
import { type CoordinatorAccess, coordinatorAccess, restOnAny } from '../connection.js';
import { integerIn } from '../options/integers.js';
import { printJson, printLine } from '../output.js';

/** Asks the first coordinator that answers; 404 (no such worker) is final. */
async function drainOnAny(
  access: CoordinatorAccess,
  worker: string,
  graceMs: number | undefined,
): Promise<RestDrainWorkerReply> {
  try {
    return await restOnAny(access.urls, (base) => drainWorker(base, access.token, worker, graceMs));
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new Error(`the coordinator knows no worker with id or name '${worker}'`);
    }
    throw error;
  }
}

function describe(reply: RestDrainWorkerReply): string {
  const who = reply.name === reply.workerId ? reply.workerId : `${reply.name} (${reply.workerId})`;
  const grace =
    reply.graceMs === undefined ? 'its own grace period' : `a grace period of ${reply.graceMs} ms`;
  if (reply.status === 'dead' || reply.status === 'drained') {
    return `worker ${who} is ${reply.status}; it gets no new tasks`;
  }
  if (!reply.notified) {
    return `worker ${who} is ${reply.status}: it gets no new tasks, and is told to drain when it reconnects`;
  }
  return `draining worker ${who}: no new tasks; ${reply.running} running task(s) may finish within ${grace}, the rest are handed back, then it exits`;
}

export function registerDrainCommand(program: Command): void {
  program
    .command('drain')
    .description(
      'drain a worker: it takes no new tasks, finishes running ones within a grace period, hands back the rest and exits',
    )
    .argument('<worker>', 'a worker id, or a worker name when only one worker has it')
    .option(
      '--grace-ms <ms>',
      "how long running tasks may take before they are handed back (default: the worker's --drain-grace-ms)",
      integerIn(0, MAX_DRAIN_GRACE_MS),
    )
    .option('--json', 'print the coordinator reply as JSON')
    .action(
      async (worker: string, options: { graceMs?: number; json?: boolean }, command: Command) => {
        const reply = await drainOnAny(coordinatorAccess(command), worker, options.graceMs);
        if (options.json === true) printJson(reply);
        else printLine(describe(reply));
      },
    );
}
