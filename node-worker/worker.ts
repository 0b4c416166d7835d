import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { toHttpUrl } from '../client/index.js';
import { WorkerSession } from '../worker-core/index.js';
import { ArtifactCache } from './artifact-cache.js';
import { probeCapabilities } from './capabilities.js';
import { CoordinatorConnection } from './connection.js';
import { createRunners } from './runners/index.js';

export interface WorkerOptions {
  coordinatorUrls: string[];
  token?: string;
  slots: number;
  labels: Record<string, string>;
  name?: string;
  logger: Logger;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

export interface WorkerHandle {
  workerId: string;
  stop(): Promise<void>;
  /** Resolves after the first successful registration; rejects if stopped before it. */
  registered: Promise<void>;
}

/** Probes this machine, then connects to the coordinator and serves assignments until stopped. */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  if (options.coordinatorUrls.length === 0) throw new Error('give at least one coordinator URL');
  if (!Number.isInteger(options.slots) || options.slots < 1) {
    throw new Error(`slots must be a positive integer (got ${options.slots})`);
  }
  const capabilities = await probeCapabilities();
  const workerId = randomUUID();
  const log = options.logger.child({ workerId });
  let connection: CoordinatorConnection | undefined;
  // Artifacts come from the coordinator this worker is connected to at the time.
  const artifacts = new ArtifactCache(() => {
    const url = connection?.lastUrl;
    return url === undefined ? undefined : { baseUrl: toHttpUrl(url), token: options.token };
  });
  const session = new WorkerSession({
    workerId,
    name: options.name ?? `${os.hostname()}-${process.pid}`,
    capabilities,
    labels: options.labels,
    slots: options.slots,
    runAssignment: createRunners(artifacts),
    log,
    connect: (handlers) => {
      connection = new CoordinatorConnection({
        urls: options.coordinatorUrls,
        token: options.token,
        logger: log,
        backoff: options.reconnect,
        handlers,
      });
      return connection;
    },
  });
  session.start();
  return { workerId, registered: session.registered, stop: () => session.stop() };
}
