import { describe, expect, test } from 'vitest';
import { compareOutputs, DEFAULT_TOLERANCES } from '../../../models/index.js';
import {
  chainTasks,
  fetchActivation,
  stageOutputOf,
  twoStageChain,
  wholeOutput,
} from '../../support/hand-split-chain.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { runTasks, storeArtifact, useWorkerPage } from './page-worker.js';

cleanUpAfterAll();

describe('shard-stage tasks in the Chromium worker page (onnxruntime-web)', () => {
  const setup = useWorkerPage('chromium');

  test('a two-stage chain on wasm, 3 micro-batches: the whole model’s outputs, each stage’s session reused after the first', async () => {
    const { coordinator } = setup;
    const chain = twoStageChain(9);
    const models = [
      await storeArtifact(coordinator, chain.stages[0]),
      await storeArtifact(coordinator, chain.stages[1]),
    ] as const;
    const microBatches = 3;
    const specs = chainTasks(models, {
      run: 'page-chain',
      microBatches,
      executionProvider: 'wasm',
    });
    const views = await runTasks(coordinator, specs);
    const byRef = new Map(specs.map((spec, i) => [spec.ref, views[i]]));

    for (let b = 0; b < microBatches; b++) {
      const first = stageOutputOf(byRef.get(`s0-b${b}`));
      const second = stageOutputOf(byRef.get(`s1-b${b}`));
      expect(first.runtime).toMatch(/^onnxruntime-web \d+\.\d+/);
      expect(second.executionProvider).toBe('wasm');
      for (const output of [first, second]) {
        expect(output.timings.sessionReused, `micro-batch ${b}`).toBe(b > 0);
      }
      const expected = Array.from(await wholeOutput(chain.whole, b));
      const reference = { y: { dims: [1, 8], type: 'float32', data: expected } };
      const final = second.outputs.y!;
      const committed = await fetchActivation(
        coordinator.url,
        coordinator.workerToken,
        final.artifact,
      );
      for (const data of [final.summary.data!, Array.from(committed)]) {
        const comparison = compareOutputs(
          reference,
          { y: { ...final.summary, data } },
          DEFAULT_TOLERANCES.wasm,
        );
        expect(comparison.problems).toEqual([]);
      }
    }
  });
});
