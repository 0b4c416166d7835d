import pino from 'pino';
import { expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { workerPageUrl } from '../../../client/index.js';
import { startCoordinatorProcess } from '../../support/processes.js';
import { getJson } from '../../support/rest.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';

cleanUpAfterAll();
const logger = pino({ level: 'error' }, pino.destination(2));

interface WorkersResponse {
  workers: { status: string; capabilities: { kind: string; browser?: { name: string } } }[];
}

async function browserWorkers(url: string, adminKey: string): Promise<string[]> {
  const { workers } = await getJson<WorkersResponse>(url, '/api/workers', adminKey);
  return workers
    .filter((worker) => worker.capabilities.kind === 'browser' && worker.status === 'connected')
    .map((worker) => worker.capabilities.browser?.name ?? '')
    .sort();
}

it('registers one browser worker per pool member with the coordinator', async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  const pool = await startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [
      { name: 'chromium', count: 2 },
      { name: 'firefox', count: 1 },
    ],
    driver: 'puppeteer',
    logger,
  });
  try {
    await pool.ready;
    await expect
      .poll(() => browserWorkers(coordinator.url, coordinator.adminKey), { timeout: 30_000 })
      .toEqual(['chromium', 'chromium', 'firefox']);
  } finally {
    await pool.stop();
  }
});
