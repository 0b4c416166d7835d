import type { Logger } from 'pino';

/** On the first SIGINT or SIGTERM runs `stop`, then exits; a second signal kills at once. */
export function stopOnSignal(stop: () => Promise<void>, logger: Logger): void {
  const handle = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
