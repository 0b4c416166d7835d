import { pino } from 'pino';
import { toWebSocketUrl } from '../../client/index.js';
import { startCoordinator } from '../../coordinator/index.js';
import { withTempDir } from './temp-dir.js';

/** An in-process coordinator with authentication on, as browser workers meet it. */
export interface AuthCoordinator {
  /** `http://127.0.0.1:port` */
  url: string;
  /** The `/ws` URL. */
  wsUrl: string;
  adminKey: string;
  workerToken: string;
}

/**
 * Runs `fn` against a fresh in-process coordinator on a loopback port chosen by the OS, with
 * authentication on (using the keys it creates at first start) and silent
 * logs; closes it and removes its data afterwards.
 */
export function withAuthCoordinator<T>(
  fn: (coordinator: AuthCoordinator) => Promise<T>,
): Promise<T> {
  return withTempDir('dtf-bench-coordinator-', async (dataDir) => {
    const coordinator = await startCoordinator({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      insecureNoAuth: false,
      state: { heartbeatIntervalMs: 1000, heartbeatMisses: 3 },
      maxMessageBytes: 8 * 1024 * 1024,
      logger: pino({ level: 'silent' }),
    });
    try {
      // A fresh data dir: this start created the keys.
      const credentials = coordinator.createdCredentials!;
      return await fn({
        url: coordinator.url,
        wsUrl: toWebSocketUrl(coordinator.url),
        adminKey: credentials.adminKey,
        workerToken: credentials.workerToken,
      });
    } finally {
      await coordinator.close();
    }
  });
}
