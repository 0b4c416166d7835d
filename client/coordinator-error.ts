import type { ErrorCode } from '../protocol/index.js';

/** An `error` reply from the coordinator; `message` is the coordinator's own words. */
export class CoordinatorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }
}
