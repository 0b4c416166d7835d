import pino from 'pino';
import { expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { workerPageUrl } from '../../../client/index.js';
import type { BrowserCapabilities } from '../../../protocol/index.js';
import { startCoordinatorProcess } from '../../support/processes.js';
import { getJson } from '../../support/rest.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';

cleanUpAfterAll();
const logger = pino({ level: 'error' }, pino.destination(2));

it('Chromium driven by playwright-core registers with a SwiftShader WebGPU adapter', async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  const pool = await startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'playwright',
    logger,
  });
  try {
    await pool.ready;
    const browserCapabilities = async () => {
      const { workers } = await getJson<{ workers: Array<{ capabilities: { kind: string } }> }>(
        coordinator.url,
        '/api/workers',
        coordinator.adminKey,
      );
      return workers
        .map((w) => w.capabilities)
        .filter((c): c is BrowserCapabilities => c.kind === 'browser');
    };
    await expect.poll(browserCapabilities, { timeout: 30_000 }).toHaveLength(1);
    const [capabilities] = await browserCapabilities();
    expect(capabilities).toMatchObject({
      browser: { name: 'chromium', engine: 'blink' },
      webgpu: {
        available: true,
        adapter: { architecture: 'swiftshader', isFallbackAdapter: true },
      },
      webnn: { available: false },
      wasm: { simd: true },
    });
    expect(capabilities!.webnn.reason).toBeTruthy();
    expect(capabilities!.features).toEqual(
      expect.arrayContaining(['webgpu', 'webgpu-fallback', 'wasm-simd']),
    );
  } finally {
    await pool.stop();
  }
});
