/** Defaults shared by every process; each can be overridden where it is enforced. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
export const MAX_TASKS_PER_SUBMIT = 10_000;
/** Workers one task's `requirements.workers` may name. */
export const MAX_TARGET_WORKERS = 64;
/** The longest request `id` a message may carry; an error repeats no longer one. */
export const MAX_REQUEST_ID_LENGTH = 128;
/** Tasks one query returns (`query` on `/ws`, `GET /api/tasks`): at most, and when not asked. */
export const MAX_QUERY_LIMIT = 10_000;
export const DEFAULT_QUERY_LIMIT = 1_000;
export const DEFAULT_TASK_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_RETRIES = 3;
/** Delay before the first retry; each later one waits `DEFAULT_BACKOFF_FACTOR` times longer. */
export const DEFAULT_RETRY_DELAY_MS = 1_000;
export const DEFAULT_BACKOFF_FACTOR = 2;
/** Each retry's timeout is the previous one's times this. */
export const DEFAULT_TIMEOUT_MULTIPLIER = 1.5;
/** Parents a task may wait for. */
export const MAX_DEPENDENCIES = 1_000;
/** The most slots one task may take on its worker (a worker has at most as many). */
export const MAX_TASK_SLOTS = 256;
/** Bytes of stdout and of stderr kept from a command, counted from the end. */
export const OUTPUT_TAIL_BYTES = 64 * 1024;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
/**
 * The longest a worker waits between two reconnect tries. A restarted coordinator gives the
 * workers it knew this long on top of the heartbeat allowance to come back and claim their
 * leases before it declares them dead.
 */
export const MAX_RECONNECT_DELAY_MS = 5_000;
