import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { MatrixCell } from '../../cli/report/matrix-cells.js';
import { spawnDtf } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();
const suite = fileURLToPath(new URL('../../examples/cross-browser.json', import.meta.url));

it('the sample cross-browser suite: every model matches onnxruntime-node on wasm in both browsers and on Chromium webgpu', async () => {
  const out = tempDir();
  const run = spawnDtf(['run', suite, '--out', out]);
  expect(await run.exited, run.output()).toBe(0);
  expect(run.output()).toMatch(/MODEL\s+WORKER\s+cpu\s+wasm\s+webgpu\s+webnn/);
  const report = JSON.parse(readFileSync(join(out, 'cross-browser.results.json'), 'utf8')) as {
    matrix: MatrixCell[];
  };
  const cell = (model: string, worker: string, provider: string) =>
    report.matrix.find((c) => c.model === model && c.worker === worker && c.provider === provider);
  for (const model of ['mlp', 'cnn', 'transformer-block']) {
    expect(cell(model, 'node', 'cpu')).toMatchObject({ verdict: 'pass' });
    for (const browser of ['chromium', 'firefox']) {
      const wasm = cell(model, browser, 'wasm');
      expect(wasm, `${model} ${browser} wasm`).toMatchObject({ verdict: 'pass' });
      expect(wasm!.maxAbsError).toBeLessThanOrEqual(1e-4);
      // WebNN is tried everywhere; this machine has none, and the reason is the browser's.
      expect(cell(model, browser, 'webnn')).toMatchObject({
        verdict: 'unsupported',
        reason: expect.stringMatching(/WebNN/),
      });
    }
    expect(cell(model, 'chromium', 'webgpu')).toMatchObject({ verdict: 'pass' });
    expect(cell(model, 'firefox', 'webgpu')).toMatchObject({ verdict: 'unsupported' });
  }
});
