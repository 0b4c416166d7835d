import type { Logger } from 'pino';
import { describeError, reportWorkerLost, toHttpUrl } from '../client/index.js';

/**
 * What a pool calls when one of its browsers dies: the coordinator hears of it at once (and
 * why), instead of after the heartbeat allowance. A failed report only costs that wait.
 */
export function workerLostReporter(
  coordinatorUrl: string,
  token: string | undefined,
  logger: Logger,
) {
  const base = toHttpUrl(coordinatorUrl);
  return (workerId: string, reason: string): void => {
    reportWorkerLost(base, token, workerId, reason).catch((error: unknown) =>
      logger.warn(
        { workerId, err: describeError(error) },
        'could not report a lost browser worker',
      ),
    );
  };
}
