import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { createDevCertificates } from '../../../cli/certs/dev-certificates.js';
import { trustCaFile } from '../../../cli/tls-trust.js';
import { DtfClient, workerPageUrl } from '../../../client/index.js';
import { startCoordinatorProcess } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';

cleanUpAfterAll();
const logger = pino({ level: 'error' }, pino.destination(2));
const QUICK_MODULE = `data:text/javascript,${encodeURIComponent('export const tests = { quick: () => {} };')}`;

it('a pool of Chromium works for a coordinator over TLS whose CA --ca names, and runs a page test', async () => {
  const dir = tempDir();
  const made = await createDevCertificates(['127.0.0.1'], 1);
  for (const [name, pem] of [
    ['ca.pem', made.caPem],
    ['cert.pem', made.certPem],
    ['key.pem', made.keyPem],
  ] as const) {
    writeFileSync(join(dir, name), pem);
  }
  // What `dtf --ca ca.pem pool` does in its process.
  trustCaFile(join(dir, 'ca.pem'));
  const coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')],
  });
  expect(coordinator.url).toMatch(/^https:/);
  const pool = await startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'puppeteer',
    logger,
  });
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
    ca: made.caPem,
  });
  try {
    await pool.ready;
    const ids = await client.submit([
      {
        kind: 'page-test',
        payload: { module: QUICK_MODULE },
        requirements: { browser: 'chromium' },
      },
    ]);
    expect((await client.waitFor({ taskIds: ids })).map((e) => e.state)).toEqual(['succeeded']);
  } finally {
    await client.close();
    await pool.stop();
  }
});
