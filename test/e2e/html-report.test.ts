import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactPath } from '../support/artifacts.js';
import { spawnDtf } from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';
import { browserPath } from './page/browsers.js';

cleanUpAfterAll();

describe('the HTML report', () => {
  it('opens from file:// with the network off, and shows the verdict, the comparison, the matrix, the chart and every test', async () => {
    const dir = tempDir();
    const dataDir = join(dir, '.dtf');
    const broken = join(dir, 'broken');
    const suite = writeSuiteFile(dir, {
      name: 'report',
      matrix: { models: ['mlp'], targets: [{ worker: 'node', executionProviders: ['cpu'] }] },
      tasks: [
        { name: 'steady', kind: 'command', payload: { command: 'echo all good', shell: true } },
        {
          name: 'flips',
          kind: 'command',
          payload: {
            command: `if [ -f ${broken} ]; then echo 'boom <b>' >&2; exit 3; fi; echo fine`,
            shell: true,
          },
        },
      ],
      reporters: ['list', 'html'],
    });
    for (const round of [1, 2]) {
      if (round === 2) writeFileSync(broken, '');
      const run = spawnDtf(['run', suite, '--out', dir, '--data-dir', dataDir]);
      expect(await run.exitWithin(180_000, `dtf run ${round}`)).toBe(round === 1 ? 0 : 1);
      expect(run.output()).toContain(`reports: ${join(dir, 'report.html')}`);
    }
    // The suite's reporters replace the defaults: no JSON or JUnit report.
    expect(existsSync(join(dir, 'report.results.json'))).toBe(false);

    const browser = await chromium.launch({ executablePath: await browserPath('chromium') });
    try {
      const context = await browser.newContext({
        offline: true,
        viewport: { width: 1100, height: 900 },
      });
      const page = await context.newPage();
      const fetched: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) fetched.push(request.url());
      });
      await page.goto(`file://${join(dir, 'report.html')}`);
      expect(await page.locator('h1').textContent()).toBe('FAIL report');
      const newFailures = page.locator('#new-failures + table');
      expect(await newFailures.locator('tbody td').allTextContents()).toEqual([
        'flips',
        'node',
        'failed',
        'exited with code 3',
      ]);
      expect(await page.locator('#comparison > p').textContent()).toMatch(
        /1 new failure\(s\), 0 fixed/,
      );
      expect(
        await page.locator('table.matrix tbody tr').first().locator('th, td').allTextContents(),
      ).toEqual(['mlp', 'node', expect.stringMatching(/^pass [\d.]+ ms$/)]);
      expect(await page.locator('svg.chart rect.bar').count()).toBe(1);
      // The failing test's error is open, its logs one click away.
      const flips = page.locator('li.task', { hasText: 'flips' });
      expect(await flips.locator('details[open] pre').textContent()).toBe('exited with code 3');
      await flips.locator('details.logs summary').click();
      expect(await flips.locator('details.logs pre').textContent()).toBe('boom <b>\n');
      expect(await flips.locator('details.logs pre').isVisible()).toBe(true);
      const steady = page.locator('li.task', { hasText: 'steady' });
      expect(await steady.isVisible()).toBe(true);
      await page.locator('label[for="failures-only"]').click();
      expect(await page.locator('#failures-only').isChecked()).toBe(true);
      expect(await steady.getAttribute('class')).toBe('task passed');
      expect(await steady.isVisible()).toBe(false);
      expect(await flips.isVisible()).toBe(true);
      await page.locator('label[for="failures-only"]').click();
      await page.screenshot({ path: artifactPath('html-report.png'), fullPage: true });
      expect(fetched).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
