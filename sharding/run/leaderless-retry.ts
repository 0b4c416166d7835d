import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, HttpError, UnreachableError } from '../../client/index.js';

/** What a coordinator answers while its cluster has no leader (or a proxy before it, none). */
const LEADERLESS_STATUSES = new Set([502, 503, 504]);

const RETRY_EVERY_MS = 250;

/** How long a run waits for a cluster to answer again: an election takes a few seconds. */
export const LEADERLESS_BOUND_MS = 30_000;

/** Whether a REST failure is one a leader change explains: no answer, or no leader yet. */
export function isLeaderless(error: unknown): boolean {
  if (error instanceof UnreachableError) return true;
  return error instanceof HttpError && LEADERLESS_STATUSES.has(error.status);
}

/**
 * Calls `call` again while it fails as a cluster between leaders does, for up to `boundMs`.
 * `call` should read the coordinator's address each time: the client's connection moves to
 * the new leader once it has found it, and the retries with it.
 */
export async function retryWhileLeaderless<T>(
  what: string,
  call: () => Promise<T>,
  boundMs = LEADERLESS_BOUND_MS,
): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isLeaderless(error)) throw error;
      if (Date.now() >= deadline) {
        throw new Error(
          `could not ${what}: the coordinator did not answer for ${boundMs} ms: ${describeError(error)}`,
        );
      }
      await sleep(RETRY_EVERY_MS);
    }
  }
}
