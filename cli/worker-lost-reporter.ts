import type { Logger } from 'pino';
import { describeError, reportWorkerLost } from '../client/index.js';
import { restOnAny } from './connection.js';

/**
 * What a pool calls when one of its browsers dies: the coordinator hears of it at once (and
 * why), instead of after the heartbeat allowance. A failed report only costs that wait.
 */
export function workerLostReporter(
  coordinatorUrls: readonly string[],
  token: string | undefined,
  logger: Logger,
) {
  return (workerId: string, reason: string): void => {
    restOnAny(coordinatorUrls, (base) => reportWorkerLost(base, token, workerId, reason)).catch(
      (error: unknown) =>
        logger.warn(
          { workerId, err: describeError(error) },
          'could not report a lost browser worker',
        ),
    );
  };
}
