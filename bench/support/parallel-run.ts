import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { DtfClient } from '../../client/index.js';
import { startWorker, type WorkerHandle } from '../../node-worker/index.js';
import type { TaskSpecInput } from '../../protocol/index.js';
import { withAuthCoordinator } from './auth-coordinator.js';
import { runConcurrently } from './concurrency.js';
import { withDeadline } from './deadline.js';
import { watchGroupCompletion } from './group-completion.js';
import { BENCH_GROUP } from './noop-tasks.js';

export interface SleepWorkload {
  tasks: number;
  /** How long each task sleeps (`sleep <seconds>`). */
  sleepSeconds: number;
  slots: number;
}

/** The wall time if every slot were busy sleeping from start to end, in seconds. */
export function idealSeconds(workload: SleepWorkload): number {
  return Math.ceil(workload.tasks / workload.slots) * workload.sleepSeconds;
}

/** Generous room over the ideal, for a stuck run to fail rather than hang. */
function deadlineMs(workload: SleepWorkload): number {
  return idealSeconds(workload) * 2000 + 30_000;
}

function sleepTask(workload: SleepWorkload): TaskSpecInput {
  return {
    kind: 'command',
    payload: { command: 'sleep', args: [String(workload.sleepSeconds)] },
    group: BENCH_GROUP,
  };
}

async function secondsOf(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/**
 * Seconds from submitting the workload's `sleep` tasks to a fresh in-process coordinator until
 * a client subscribed to their group has seen all of them succeed, run by one real Node
 * worker (`startWorker`) with the workload's slots.
 */
export function measureSleepTasks(workload: SleepWorkload): Promise<number> {
  return withAuthCoordinator(async ({ wsUrl, adminKey, workerToken }) => {
    let worker: WorkerHandle | undefined;
    let client: DtfClient | undefined;
    try {
      worker = await startWorker({
        coordinatorUrls: [wsUrl],
        token: workerToken,
        slots: workload.slots,
        labels: {},
        name: 'bench-worker',
        logger: pino({ level: 'silent' }),
      });
      await worker.registered;
      const connected = await DtfClient.connect({ urls: [wsUrl], token: adminKey });
      client = connected;
      const completion = await watchGroupCompletion(connected, BENCH_GROUP, workload.tasks);
      const tasks = Array.from({ length: workload.tasks }, () => sleepTask(workload));
      const seconds = await secondsOf(async () => {
        const [, counts] = await withDeadline(
          'the sleep tasks',
          deadlineMs(workload),
          Promise.all([connected.submit(tasks), completion.done]),
        );
        if (counts.succeeded !== workload.tasks) {
          throw new Error(
            `expected ${workload.tasks} succeeded tasks, got ${JSON.stringify(counts)}`,
          );
        }
      });
      await completion.close();
      return seconds;
    } finally {
      await client?.close();
      await worker?.stop();
    }
  });
}

function runSleep(seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`sleep exited with ${code ?? signal}`));
    });
  });
}

/**
 * Seconds to run the workload's `sleep` processes straight from this process, `slots` at a
 * time: the floor under running them through DTF, spawn costs included.
 */
export function measureDirectSleeps(workload: SleepWorkload): Promise<number> {
  return withDeadline(
    'the direct sleeps',
    deadlineMs(workload),
    secondsOf(() =>
      runConcurrently(workload.tasks, workload.slots, () => runSleep(workload.sleepSeconds)),
    ),
  );
}
