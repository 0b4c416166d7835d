import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../../browser-worker/pool/index.js';
import { restGet } from '../../client/index.js';
import { RestWorkersResponse, type RestWorkerView } from '../../protocol/index.js';

/** What asking a coordinator for its workers takes. */
export interface AdminAccess {
  /** `http://host:port` */
  url: string;
  adminKey: string;
}

/** How often the wait for registrations asks the coordinator for its workers. */
const REGISTRATION_POLL_MS = 10;
const REGISTRATION_TIMEOUT_MS = 120_000;

/** The browser workers the coordinator has that are not dead. */
export async function liveBrowserWorkers(coordinator: AdminAccess): Promise<RestWorkerView[]> {
  const reply = RestWorkersResponse.parse(
    await restGet(coordinator.url, '/api/workers', coordinator.adminKey),
  );
  return reply.workers.filter((w) => w.capabilities.kind === 'browser' && w.status !== 'dead');
}

/**
 * Resolves once `count` browser workers have registered with the coordinator; rejects if the
 * pool cannot start a browser or the workers are not all there in time.
 */
export async function untilBrowserWorkers(
  coordinator: AdminAccess,
  pool: Pool,
  count: number,
): Promise<void> {
  const poolFailed = pool.ready.then(() => new Promise<never>(() => {}));
  const deadline = performance.now() + REGISTRATION_TIMEOUT_MS;
  const registered = (async () => {
    while ((await liveBrowserWorkers(coordinator)).length < count) {
      if (performance.now() > deadline) {
        throw new Error(`fewer than ${count} browser workers after ${REGISTRATION_TIMEOUT_MS} ms`);
      }
      await sleep(REGISTRATION_POLL_MS);
    }
  })();
  await Promise.race([registered, poolFailed]);
}
