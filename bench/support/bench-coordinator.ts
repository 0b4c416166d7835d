import { pino } from 'pino';
import { toWebSocketUrl } from '../../client/index.js';
import { startCoordinator } from '../../coordinator/index.js';
import { withTempDir } from './temp-dir.js';

/**
 * Runs `fn` against a fresh in-process coordinator (no auth, silent logs, its own temp data
 * dir), given the coordinator's `/ws` URL; closes it and removes the data afterwards.
 */
export function withBenchCoordinator<T>(fn: (wsUrl: string) => Promise<T>): Promise<T> {
  return withTempDir('dtf-bench-coordinator-', async (dataDir) => {
    const coordinator = await startCoordinator({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      insecureNoAuth: true,
      heartbeatIntervalMs: 1000,
      heartbeatMisses: 3,
      maxMessageBytes: 8 * 1024 * 1024,
      logger: pino({ level: 'silent' }),
    });
    try {
      return await fn(toWebSocketUrl(coordinator.url));
    } finally {
      await coordinator.close();
    }
  });
}
