import type { WorkerPageState } from './worker-page-state.js';

export interface RecycleLimits {
  recycleAfterTasks: number | undefined;
  maxRssMb: number | undefined;
}

/** Why an idle browser should be closed and launched afresh, if it should; never while busy. */
export function recycleReason(
  page: Pick<WorkerPageState, 'tasksDone' | 'busy'>,
  rssMb: number | undefined,
  limits: RecycleLimits,
): string | undefined {
  if (page.busy) return undefined;
  if (limits.recycleAfterTasks !== undefined && page.tasksDone >= limits.recycleAfterTasks) {
    return `recycled after ${page.tasksDone} tasks`;
  }
  if (limits.maxRssMb !== undefined && rssMb !== undefined && rssMb > limits.maxRssMb) {
    return `recycled at ${Math.round(rssMb)} MB resident (limit ${limits.maxRssMb} MB)`;
  }
  return undefined;
}
