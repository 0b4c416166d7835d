import type { Logger } from 'pino';
import { SIGNAL_EXIT } from './stop-on-signal.js';

export interface Drainable {
  /** Takes no new tasks, finishes or hands back what runs, then stops. */
  drain(): Promise<void>;
  /** Stops at once, handing back what it can. */
  stopNow(): Promise<void>;
  /** Resolves once stopped, however that came about (a `dtf drain` included). */
  stopped: Promise<void>;
}

/**
 * A worker's shutdown: the first SIGINT or SIGTERM drains it (exit 0 once drained); a second
 * one stops it at once, still handing back what it can (exit 130 or 143). A drain the
 * coordinator asks for also ends the process with 0.
 */
export function drainOnSignal(worker: Drainable, logger: Logger): void {
  let signals = 0;
  const fail = (error: unknown) => {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  };
  const handle = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      logger.info({ signal }, 'draining: finishing running tasks (a second signal stops at once)');
      worker.drain().catch(fail);
    } else if (signals === 2) {
      logger.warn({ signal }, 'stopping at once: handing back running tasks');
      worker.stopNow().then(() => process.exit(SIGNAL_EXIT[signal] ?? 1), fail);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  worker.stopped.then(() => {
    if (signals < 2) {
      logger.info({}, 'worker stopped');
      process.exit(0);
    }
  }, fail);
}
