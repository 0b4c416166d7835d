/**
 * Where a worker page's worker stands with the coordinator: `rejected` (the token was refused)
 * and `failed` (the page cannot work, e.g. no token) are final.
 */
export const WORKER_PAGE_CONNECTIONS = [
  'connecting',
  'registered',
  'disconnected',
  'rejected',
  'failed',
] as const;
export type WorkerPageConnection = (typeof WORKER_PAGE_CONNECTIONS)[number];

/**
 * What the worker page publishes as `window.__dtfWorker` for the pool that launched it
 * (browser-worker/pool/worker-page-state.ts reads it, checking every field): where its worker
 * stands, its id and secret (to report it lost), tasks finished since the page loaded, and
 * whether one runs now (to recycle only idle pages).
 */
export interface WorkerPageReport {
  workerId: string;
  /** Issued by the coordinator at the id's first registration. */
  secret: string | undefined;
  connection: WorkerPageConnection;
  /** Why the page is `rejected` or `failed`, as it shows it. */
  problem: string | undefined;
  tasksDone: number;
  busy: boolean;
}
