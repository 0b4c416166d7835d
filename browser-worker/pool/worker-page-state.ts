import { setTimeout as sleep } from 'node:timers/promises';
import { WORKER_PAGE_CONNECTIONS, type WorkerPageReport } from '../../protocol/index.js';
import type { DriverPage } from './drivers/driver.js';

/**
 * The page's `window.__dtfWorker` as checked here: a page without it (or a field of it) counts
 * as connecting, idle, with no worker id.
 */
export interface WorkerPageState extends Omit<WorkerPageReport, 'workerId'> {
  workerId: string | undefined;
}

const STATE_EXPRESSION = `(() => {
  const worker = globalThis.__dtfWorker;
  return {
    workerId: worker?.workerId,
    secret: worker?.secret,
    connection: worker?.connection,
    problem: worker?.problem,
    tasksDone: worker?.tasksDone,
    busy: worker?.busy,
  };
})()`;

function text(fields: object, key: string, maxLength: number): string | undefined {
  const value = key in fields ? (fields as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value.slice(0, maxLength) : undefined;
}

/** Reads the page's state; the page's values are checked, never trusted. */
export function toWorkerPageState(value: unknown): WorkerPageState {
  const fields = typeof value === 'object' && value !== null ? value : {};
  const tasksDone = 'tasksDone' in fields ? fields.tasksDone : undefined;
  const busy = 'busy' in fields ? fields.busy : undefined;
  const connection = text(fields, 'connection', 32);
  return {
    workerId: text(fields, 'workerId', 128),
    secret: text(fields, 'secret', 256),
    connection: WORKER_PAGE_CONNECTIONS.find((known) => known === connection) ?? 'connecting',
    problem: text(fields, 'problem', 1024),
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
