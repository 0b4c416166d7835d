import { setTimeout as sleep } from 'node:timers/promises';
import type { DriverPage } from './drivers/driver.js';

/**
 * What the worker page exposes for the pool as `window.__dtfWorker`: tasks finished since the
 * page loaded, and whether a task is running now. A page without it counts as idle with none.
 */
export interface WorkerPageState {
  /** The id the page registered with, so the pool can report the worker lost when it crashes. */
  workerId: string | undefined;
  tasksDone: number;
  busy: boolean;
}

const STATE_EXPRESSION = `(() => {
  const worker = globalThis.__dtfWorker;
  return { workerId: worker?.workerId, tasksDone: worker?.tasksDone, busy: worker?.busy };
})()`;

/** Reads the page's state; the page's values are checked, never trusted. */
export function toWorkerPageState(value: unknown): WorkerPageState {
  const fields = typeof value === 'object' && value !== null ? value : {};
  const tasksDone = 'tasksDone' in fields ? fields.tasksDone : undefined;
  const busy = 'busy' in fields ? fields.busy : undefined;
  const workerId = 'workerId' in fields ? fields.workerId : undefined;
  return {
    workerId: typeof workerId === 'string' && workerId !== '' ? workerId : undefined,
    tasksDone: Number.isSafeInteger(tasksDone) && Number(tasksDone) >= 0 ? Number(tasksDone) : 0,
    busy: busy === true,
  };
}

const TIMED_OUT = Symbol('timed out');

/** The page's state, or an error when its JavaScript does not answer within `timeoutMs`. */
export async function readWorkerPageState(
  page: DriverPage,
  timeoutMs: number,
): Promise<WorkerPageState> {
  const stopTimer = new AbortController();
  try {
    const value = await Promise.race([
      page.evaluate(STATE_EXPRESSION),
      sleep(timeoutMs, TIMED_OUT, { signal: stopTimer.signal }),
    ]);
    if (value === TIMED_OUT) throw new Error(`the page did not answer within ${timeoutMs} ms`);
    return toWorkerPageState(value);
  } finally {
    stopTimer.abort();
  }
}
