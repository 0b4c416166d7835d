import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinatorError } from './coordinator-error.js';

/** What `submit` waits out by default: a coordinator's rate and queue refusals, 10 minutes. */
export const DEFAULT_ADMISSION_WAIT_MS = 10 * 60_000;

/**
 * Sends `request` until the coordinator admits it: a refusal that says when to come back
 * (`rate_limited`, `queue_full`) is waited out, a little longer at random so that refused
 * clients do not all come back at once, for `budgetMs` in all; any other failure, or a wait
 * past the budget, is thrown.
 */
export async function untilAdmitted<T>(
  request: () => Promise<T>,
  budgetMs: number,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof CoordinatorError) || error.retryAfterMs === undefined) throw error;
      const ms = Math.ceil(error.retryAfterMs * (1 + Math.random() * 0.2));
      if (Date.now() + ms > deadline) throw error;
      await wait(ms);
    }
  }
}
