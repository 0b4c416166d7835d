import { expect, it } from 'vitest';
import { spawnDtf, startCoordinatorProcess } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';

cleanUpAfterAll();

it('dtf pool with a refused token is never ready: it ends with the problem and exit 1', async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  const pool = spawnDtf([
    'pool',
    '--coordinator',
    coordinator.url,
    '--token',
    'dtf_worker_wrong',
    '--browser',
    'chromium=1',
  ]);
  await pool.waitFor(/^dtf: chromium 1\/1: .*rejected the worker token \(HTTP 401/m, 90_000);
  expect(await pool.exited).toBe(1);
  expect(pool.output()).toMatch(/^chromium 1\/1 failed: .*rejected the worker token/m);
  expect(pool.output()).not.toMatch(/DTF pool ready|chromium 1\/1 ready/);
});
