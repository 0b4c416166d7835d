import type { Logger } from 'pino';
import { describeError, reportWorkerLost } from '../client/index.js';
import type { WorkerIdentity } from '../worker-core/index.js';
import { restOnAny } from './connection.js';

/**
 * What a pool calls when one of its browsers dies: the coordinator hears of it at once (and
 * why), instead of after the heartbeat allowance. The report carries the secret the page was
 * issued, since only a worker's own secret may report it lost. A failed report only costs that
 * wait.
 */
export function workerLostReporter(
  coordinatorUrls: readonly string[],
  token: string | undefined,
  logger: Logger,
) {
  return (worker: WorkerIdentity, reason: string): void => {
    restOnAny(coordinatorUrls, (base) => reportWorkerLost(base, token, worker, reason)).catch(
      (error: unknown) =>
        logger.warn(
          { workerId: worker.workerId, err: describeError(error) },
          'could not report a lost browser worker',
        ),
    );
  };
}
