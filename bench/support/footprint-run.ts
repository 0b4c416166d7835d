import { setTimeout as sleep } from 'node:timers/promises';
import { restGet } from '../../client/index.js';
import type { NodeCapabilities } from '../../protocol/index.js';
import { withCoordinatorProcess } from './coordinator-process.js';
import { connectLightWorker, type LightWorker } from './light-worker.js';
import { residentBytes } from './process-rss.js';

export interface IdleWorkload {
  workers: number;
  heartbeatIntervalMs: number;
  /** Heartbeats every worker sends after registering before the footprint is read. */
  heartbeats: number;
  capabilities: NodeCapabilities;
}

/** The URL a worker joins by: `/ws` with the join token as a query parameter. */
function workerUrl(wsUrl: string, token: string): string {
  const url = new URL(wsUrl);
  url.searchParams.set('token', token);
  return url.href;
}

async function connectedWorkers(url: string, adminKey: string): Promise<number> {
  const body = (await restGet(url, '/api/workers', adminKey)) as {
    workers: Array<{ status: string }>;
  };
  return body.workers.filter((worker) => worker.status === 'connected').length;
}

/**
 * The resident set size in bytes of a coordinator process (`dtf coordinator`) with the
 * workload's light workers connected and idle, read once each has sent a few heartbeats and
 * `GET /api/workers` shows them all connected.
 */
export function measureIdleCoordinatorRss(workload: IdleWorkload): Promise<number> {
  const args = ['--heartbeat-ms', String(workload.heartbeatIntervalMs)];
  return withCoordinatorProcess(args, async (coordinator) => {
    const workers: LightWorker[] = [];
    let failure: Error | undefined;
    try {
      for (let i = 1; i <= workload.workers; i++) {
        workers.push(
          await connectLightWorker({
            url: workerUrl(coordinator.wsUrl, coordinator.workerToken),
            name: `light-worker-${i}`,
            slots: 1,
            capabilities: workload.capabilities,
            onFailure: (error) => {
              failure ??= error;
            },
          }),
        );
      }
      await sleep(workload.heartbeats * workload.heartbeatIntervalMs);
      if (failure !== undefined) throw failure;
      const connected = await connectedWorkers(coordinator.url, coordinator.adminKey);
      if (connected !== workload.workers) {
        throw new Error(
          `expected ${workload.workers} connected workers, the coordinator lists ${connected}`,
        );
      }
      return await residentBytes(coordinator.pid);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
  });
}
