import type { TaskResult } from '../../protocol/index.js';

/** `result` turned into an infrastructure failure (retried elsewhere), keeping its time and logs. */
export function infrastructureFailure(result: TaskResult, error: string): TaskResult {
  return {
    status: 'failed',
    failureKind: 'infrastructure',
    durationMs: result.durationMs,
    error,
    ...(result.logs === undefined ? {} : { logs: result.logs }),
  };
}
