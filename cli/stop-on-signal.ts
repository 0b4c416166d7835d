import type { Logger } from 'pino';

/** The exit status of a command that a signal stopped before it was done, as shells report it. */
export const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * On the first SIGINT or SIGTERM runs `stop`, then exits with `exitCode(signal)` (0 unless
 * given); a second signal kills at once. Returns a function that removes the handlers.
 */
export function stopOnSignal(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  logger: Logger,
  exitCode: (signal: NodeJS.Signals) => number = () => 0,
): () => void {
  const handle = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    stop(signal).then(
      () => process.exit(exitCode(signal)),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}
