import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { CreatedKeyReply, TaskView } from '../../protocol/index.js';
import { artifactPath } from '../support/artifacts.js';
import {
  type CoordinatorProcess,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';
import { browserPath } from './page/browsers.js';

cleanUpAfterAll();

const PLACES = [
  ['chromium', 'wasm', 4],
  ['chromium', 'webgpu', 2],
  ['firefox', 'wasm', 5],
  ['node', 'cpu', 1],
] as const;

/**
 * Twenty stored runs of a suite with model cells, as `dtf run` records them: the cnn on
 * Chromium's WebGPU 60% slower from the eleventh, the last with one cell failing.
 */
async function storeRuns(coordinator: CoordinatorProcess): Promise<void> {
  for (let i = 0; i < 20; i++) {
    // Padded: runs opened in the same millisecond are ordered by their ids.
    const id = `nightly-${String(i).padStart(2, '0')}`;
    const commit = `c0ffee${i.toString(16).padStart(2, '0')}`;
    const opened = await postJson(coordinator.url, '/api/runs', coordinator.adminKey, {
      id,
      suite: 'cross-browser',
      meta: { commit },
    });
    expect(opened.status).toBe(201);
    const last = i === 19;
    const results = PLACES.flatMap(([browser, backend, base]) =>
      ['mlp', 'cnn'].map((model) => {
        const slower = model === 'cnn' && backend === 'webgpu' && i >= 10 ? 1.6 : 1;
        const fails = last && browser === 'firefox' && model === 'cnn';
        const medianMs = base * slower * (model === 'cnn' ? 3 : 1) * (1 + ((i * 7) % 5) / 100);
        return {
          test: `model ${model}`,
          kind: 'model',
          browser,
          backend,
          status: fails ? 'failed' : 'passed',
          durationMs: 100,
          metrics: { medianMs },
          ...(fails ? { error: 'max abs error 3.1e-2 over the tolerance 1e-4' } : {}),
        };
      }),
    );
    const ended = await postJson(coordinator.url, `/api/runs/${id}/results`, coordinator.adminKey, {
      results,
      end: { status: last ? 'failed' : 'passed' },
    });
    expect(ended.status).toBe(200);
  }
}

describe('the dashboard at /', () => {
  let coordinator: CoordinatorProcess;
  let client: DtfClient;
  beforeAll(async () => {
    coordinator = await startCoordinatorProcess(tempDir());
    await startWorkerProcess(coordinator);
    await storeRuns(coordinator);
    client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
  });
  afterAll(() => client?.close());

  it('asks for the key, shows the connected workers and the stored runs, and shows a task ending within a second', async () => {
    const browser = await chromium.launch({ executablePath: await browserPath('chromium') });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      await page.goto(coordinator.url);
      await page.fill('input[name=key]', 'not-the-key');
      await page.click('button[type=submit]');
      expect(await page.locator('[data-role=problem]').textContent()).toBe(
        'the coordinator refused this key',
      );
      await page.fill('input[name=key]', coordinator.workerToken);
      await page.click('button[type=submit]');
      await page.getByText('this key is a worker key').waitFor();
      // A viewer key reads all the dashboard shows.
      const created = await postJson(coordinator.url, '/api/keys', coordinator.adminKey, {
        name: 'dashboard',
        role: 'viewer',
      });
      const { secret } = (await created.json()) as CreatedKeyReply;
      await page.fill('input[name=key]', secret);
      await page.click('button[type=submit]');

      // The Node worker, live.
      const workerRow = page.locator('[data-role=workers] tbody tr');
      await workerRow.first().waitFor();
      expect(await workerRow.count()).toBe(1);
      expect(await workerRow.locator('td').nth(1).textContent()).toBe('node');
      expect(await workerRow.locator('td.status').textContent()).toBe('connected');
      expect(await page.locator('[data-card="workers connected"] .value').textContent()).toBe('1');
      expect(await page.locator('[data-role=feed]').textContent()).toBe('live');

      // The stored runs, the latest matrix with its failing cell, the regression marked.
      expect(await page.locator('[data-role=runs] tbody tr').count()).toBe(10);
      expect(await page.locator('[data-role=runs] tbody tr').first().textContent()).toMatch(
        /^nightly-19cross-browserfailed.*8 results/,
      );
      const cnn = page.locator('[data-role=matrix] tbody tr', { hasText: 'model cnn' });
      expect(await cnn.locator('td.fail').textContent()).toMatch(/^failed 15\.\d\d ms$/);
      await page.locator('[data-role=trends] select').waitFor();
      expect(await page.locator('[data-role=trends] select').inputValue()).toBe(
        'model cnn · chromium · webgpu · medianMs',
      );
      expect(await page.locator('[data-role=trends] .toolbar span').textContent()).toMatch(
        /^regression \+6\d\.\d% at c0ffee0a$/,
      );

      // A task ends: the succeeded count changes on the page within a second of it.
      const succeeded = page.locator('[data-card=succeeded] .value');
      const before = Number(await succeeded.textContent());
      await page.evaluate(`(() => {
        const value = document.querySelector('[data-card=succeeded] .value');
        window.__changes = [];
        new MutationObserver(() => window.__changes.push({ at: Date.now(), text: value.textContent }))
          .observe(value, { childList: true, characterData: true, subtree: true });
      })()`);
      const [taskId] = await client.submit([
        { kind: 'command', name: 'a quick task', payload: { command: 'true' } },
      ]);
      await client.waitFor({ taskIds: [taskId!] });
      const [task] = (await client.query({ taskIds: [taskId!] })) as TaskView[];
      expect(task!.state).toBe('succeeded');
      const changedAt = (await (
        await page.waitForFunction(
          `window.__changes.find((c) => c.text === '${before + 1}')?.at`,
          undefined,
          { timeout: 10_000 },
        )
      ).jsonValue()) as number;
      const lag = changedAt - task!.finishedAt!;
      console.log(`the dashboard showed the task's end ${lag} ms after it`);
      expect(lag).toBeLessThan(1_000);
      await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });

      // The key is kept: a reload opens the dashboard without asking again.
      await page.reload();
      await workerRow.first().waitFor();
      expect(await page.locator('[data-role=login]').count()).toBe(0);
      expect(consoleErrors.filter((e) => !e.includes('401'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
