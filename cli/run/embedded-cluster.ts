import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MISSES,
  DEFAULT_MAX_MESSAGE_BYTES,
} from '../../protocol/index.js';
import type { CoordinatorAccess } from '../connection.js';

export interface EmbeddedCluster {
  access: CoordinatorAccess;
  stop(): Promise<void>;
}

/**
 * A coordinator on a loopback port with its database in a temp dir, and a Node worker joined to
 * it, both in this process: what `dtf run` uses when no coordinator is given.
 */
export async function startEmbeddedCluster(
  logger: Logger,
  slots = cpus().length,
): Promise<EmbeddedCluster> {
  const { startCoordinator } = await import('../../coordinator/index.js');
  const { startWorker } = await import('../../node-worker/index.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'dtf-run-'));
  const coordinator = await startCoordinator({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    insecureNoAuth: false,
    heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatMisses: DEFAULT_HEARTBEAT_MISSES,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    logger,
  });
  const { adminKey, workerToken } = JSON.parse(
    await readFile(join(dataDir, 'credentials.json'), 'utf8'),
  ) as {
    adminKey: string;
    workerToken: string;
  };
  const wsUrl = `${coordinator.url.replace(/^http/, 'ws')}/ws`;
  const worker = await startWorker({
    coordinatorUrls: [wsUrl],
    token: workerToken,
    slots,
    labels: {},
    logger,
  });
  await worker.registered;
  return {
    access: { urls: [wsUrl], token: adminKey },
    async stop() {
      await worker.stop();
      await coordinator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
