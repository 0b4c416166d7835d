/** What the page's main thread asks of the socket worker. */
export type ToSocketWorker =
  /** `urls`: the coordinator's `/ws` first, then the other members of its cluster. */
  | { op: 'open'; urls: string[]; token: string }
  | { op: 'send'; data: string }
  | { op: 'heartbeat'; intervalMs: number }
  | { op: 'resetBackoff' }
  /** The main thread still runs; sent every MAIN_THREAD_TICK_MS. */
  | { op: 'alive' }
  | { op: 'close' };

/** What the socket worker tells the main thread. */
export type FromSocketWorker =
  | { event: 'opened' }
  | { event: 'message'; data: string }
  | { event: 'closed' }
  /** The coordinator refused the worker token: the socket worker has stopped trying. */
  | { event: 'refused'; reason: string }
  | { event: 'stopped' };

export const MAIN_THREAD_TICK_MS = 1_000;
/**
 * A main thread silent this long is presumed hung (a test stuck in a loop): the socket worker
 * drops the connection so the coordinator gives the page's tasks to another worker.
 */
export const MAIN_THREAD_STALL_LIMIT_MS = 30_000;
