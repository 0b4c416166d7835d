import type { ErrorCode } from '../protocol/index.js';

/** An `error` reply from the coordinator; `message` is the coordinator's own words. */
export class CoordinatorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Set on `rate_limited` and `queue_full`: when the same request may be sent again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }
}
