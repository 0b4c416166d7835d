/**
 * What a key may do. `admin`: everything. `submitter`: submit tasks, cancel and retarget the
 * ones it submitted, open runs, upload artifacts, and read. `viewer`: read (the dashboard, tasks, runs, results).
 * `worker`: join as a worker and serve tasks, nothing else. Each REST route and each WebSocket
 * message type names the roles it allows beside its definition.
 */
export const ROLES = ['admin', 'submitter', 'viewer', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** Who may change what others share: keys, webhooks, quarantine, drains, the cluster. */
export const ADMIN: readonly Role[] = ['admin'];
/** Who may put work on the queue and change their own. */
export const SUBMITTERS: readonly Role[] = ['admin', 'submitter'];
/** Who may read the queue, runs and results. */
export const READERS: readonly Role[] = ['admin', 'submitter', 'viewer'];
/** Who may serve tasks (an admin key may join as a worker too). */
export const WORKERS: readonly Role[] = ['worker', 'admin'];
/** Any valid key. */
export const ANY_ROLE: readonly Role[] = ROLES;
