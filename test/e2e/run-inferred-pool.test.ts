import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { MatrixCell } from '../../cli/report/matrix-cells.js';
import { spawnDtf } from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

it('a suite with a Chromium target and no pool starts a Chromium for it', async () => {
  const dir = tempDir();
  const targets = [{ worker: 'chromium', executionProviders: ['wasm'] }];
  const suite = writeSuiteFile(dir, { name: 'no-pool', matrix: { models: ['mlp'], targets } });
  const run = spawnDtf(['run', suite, '--out', dir, '--timeout', '2m']);
  expect(await run.exited, run.output()).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, 'no-pool.results.json'), 'utf8')) as {
    matrix: MatrixCell[];
  };
  expect(report.matrix).toEqual([
    expect.objectContaining({
      model: 'mlp',
      worker: 'chromium',
      provider: 'wasm',
      verdict: 'pass',
    }),
  ]);
});
