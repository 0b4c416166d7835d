import pino from 'pino';
import { expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { DtfClient, workerPageUrl } from '../../../client/index.js';
import { startCoordinatorProcess } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';
import { PoolEventLog } from './pool-events.js';

cleanUpAfterAll();
const logger = pino({ level: 'error' }, pino.destination(2));
const QUICK_MODULE = `data:text/javascript,${encodeURIComponent('export const tests = { quick: () => {} };')}`;

it('recycles a browser after N tasks counted by the real worker page, and keeps serving', async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  const log = new PoolEventLog();
  const pool = await startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'puppeteer',
    recycleAfterTasks: 2,
    healthCheck: { intervalMs: 100 },
    logger,
    onProgress: log.record,
  });
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  try {
    await pool.ready;
    const task = {
      kind: 'page-test' as const,
      payload: { module: QUICK_MODULE },
      requirements: { browser: 'chromium' },
    };
    const first = await client.submit([task, task]);
    expect((await client.waitFor({ taskIds: first })).map((e) => e.state)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    const recycled = await log.waitFor((event) => event.type === 'relaunching');
    expect(recycled).toMatchObject({ reason: 'recycled after 2 tasks' });
    await log.waitFor((event) => event.type === 'ready' && event.member.restarts === 1);
    const later = await client.submit([task]);
    expect((await client.waitFor({ taskIds: later })).map((e) => e.state)).toEqual(['succeeded']);
  } finally {
    await client.close();
    await pool.stop();
  }
});
