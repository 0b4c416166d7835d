import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserName } from '../../../browser-worker/pool/index.js';
import { type CoordinatorProcess, startCoordinatorProcess } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';
import { type LaunchedBrowser, launchBrowser } from './browsers.js';

cleanUpAfterAll();

describe.each<BrowserName>(['chromium', 'firefox'])('the worker page in %s', (name) => {
  let browser: LaunchedBrowser | undefined;
  afterAll(() => browser?.close());

  it('with a refused token shows the refusal and stops, instead of connecting forever', async () => {
    const coordinator: CoordinatorProcess = await startCoordinatorProcess(tempDir());
    browser = await launchBrowser(name);
    const page = await browser.browser.newPage();
    await page.goto(`${coordinator.url}/worker?token=dtf_worker_wrong`);
    // `__dtfWorker` is what the page publishes for the pool (browser-worker/page/status.ts).
    await page.waitForFunction("globalThis.__dtfWorker?.connection === 'rejected'", {
      timeout: 60_000,
    });
    const status = (await page.evaluate(`(() => {
      const root = document.getElementById('status');
      return { text: root.textContent, state: root.dataset.state, problem: __dtfWorker.problem };
    })()`)) as { text: string; state: string; problem: string };
    expect(status.state).toBe('rejected');
    expect(status.problem).toBe(
      `the coordinator at ${coordinator.url} rejected the worker token (HTTP 401: invalid token (unknown, expired or revoked))`,
    );
    expect(status.text).toContain(`rejected: ${status.problem}`);
    expect(status.text).not.toContain('connecting');
  });
});
