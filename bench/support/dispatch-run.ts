import { DtfClient } from '../../client/index.js';
import type { NodeCapabilities } from '../../protocol/index.js';
import { runConcurrently } from './concurrency.js';
import { withCoordinatorProcess } from './coordinator-process.js';
import { watchGroupCompletion } from './group-completion.js';
import { connectLightWorker, type LightWorker } from './light-worker.js';
import { BENCH_GROUP, noopTasks } from './noop-tasks.js';
import { measureRate } from './timing.js';

export interface DispatchWorkload {
  tasks: number;
  tasksPerSubmit: number;
  /** Submit requests outstanding at once. */
  submitsInFlight: number;
  workers: number;
  slotsPerWorker: number;
  capabilities: NodeCapabilities;
}

/**
 * Submits the workload's tasks and waits until all have succeeded, or rejects with the
 * first light worker failure; resolves with tasks per second.
 */
async function measureTasksToCompletion(
  client: DtfClient,
  workload: DispatchWorkload,
  workerFailure: Promise<never>,
): Promise<number> {
  const completion = await watchGroupCompletion(client, BENCH_GROUP, workload.tasks);
  const batch = noopTasks(workload.tasksPerSubmit);
  const submits = Math.ceil(workload.tasks / workload.tasksPerSubmit);
  const rate = await measureRate(workload.tasks, async () => {
    const submitted = runConcurrently(submits, workload.submitsInFlight, () =>
      client.submit(batch),
    );
    const [, counts] = await Promise.race([
      Promise.all([submitted, completion.done]),
      workerFailure,
    ]);
    if (counts.succeeded !== workload.tasks) {
      throw new Error(`expected ${workload.tasks} succeeded tasks, got ${JSON.stringify(counts)}`);
    }
  });
  await completion.close();
  return rate;
}

/**
 * Tasks per second through a fresh coordinator: from the first submit until every task has
 * succeeded on a light worker, as seen by a client subscribed to the group.
 */
export function measureDispatch(workload: DispatchWorkload): Promise<number> {
  // The coordinator runs in its own process, as deployed: the load generators here do not
  // share its event loop.
  return withCoordinatorProcess([], async ({ wsUrl, adminKey, workerToken }) => {
    let reportFailure: (error: Error) => void = () => {};
    const workerFailure = new Promise<never>((_, reject) => {
      reportFailure = reject;
    });
    // Only a failure during the measurement matters; one while closing down does not.
    workerFailure.catch(() => {});
    const workers: LightWorker[] = [];
    let client: DtfClient | undefined;
    try {
      for (let i = 1; i <= workload.workers; i++) {
        workers.push(
          await connectLightWorker({
            url: `${wsUrl}?token=${workerToken}`,
            name: `light-worker-${i}`,
            slots: workload.slotsPerWorker,
            capabilities: workload.capabilities,
            onFailure: reportFailure,
          }),
        );
      }
      client = await DtfClient.connect({ urls: [wsUrl], token: adminKey });
      return await measureTasksToCompletion(client, workload, workerFailure);
    } finally {
      await client?.close();
      await Promise.all(workers.map((worker) => worker.close()));
    }
  });
}
