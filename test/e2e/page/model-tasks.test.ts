import { describe, expect, test } from 'vitest';
import { mlp, referenceOutputs } from '../../../models/index.js';
import type { TaskSpecInput } from '../../../protocol/index.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { runTasks, storeArtifact, useWorkerPage } from './page-worker.js';

cleanUpAfterAll();

describe('model tasks in the Chromium worker page (onnxruntime-web)', () => {
  const setup = useWorkerPage('chromium');

  test('wasm and webgpu give onnxruntime-node’s outputs; cpu, webnn and a corrupt model do not run', async () => {
    const model = mlp(7);
    const reference = await referenceOutputs(model);
    const ref = await storeArtifact(setup.coordinator, model.bytes);
    const corrupt = await storeArtifact(
      setup.coordinator,
      new TextEncoder().encode('not an ONNX model'),
    );
    const task = (
      executionProvider: 'cpu' | 'wasm' | 'webgpu' | 'webnn',
      modelRef = ref,
    ): TaskSpecInput => ({
      kind: 'model',
      retry: { maxRetries: 0 },
      payload: { model: modelRef, executionProvider, inputs: model.inputs, runs: 3 },
    });
    const [wasm, webgpu, cpu, webnn, broken] = await runTasks(setup.coordinator, [
      task('wasm'),
      task('webgpu'),
      task('cpu'),
      task('webnn'),
      task('wasm', corrupt),
    ]);

    for (const [view, provider] of [
      [wasm, 'wasm'],
      [webgpu, 'webgpu'],
    ] as const) {
      expect(view?.state, JSON.stringify(view?.result)).toBe('succeeded');
      const output = view?.result?.output;
      if (output?.kind !== 'model') throw new Error('expected a model output');
      expect(output.executionProvider).toBe(provider);
      expect(output.runtime).toMatch(/^onnxruntime-web \d+\.\d+/);
      expect(output.timings.runs).toBe(3);
      for (const [name, expected] of Object.entries(reference)) {
        const actual = output.outputs[name];
        expect(actual?.dims).toEqual(expected.dims);
        expect(actual?.sha256).toMatch(/^[0-9a-f]{64}$/);
        for (const [i, value] of expected.data.entries()) {
          expect(actual?.data?.[i]).toBeCloseTo(value, 4);
        }
      }
    }
    expect(cpu?.state).toBe('unsupported');
    expect(cpu?.result?.error).toContain("'cpu' is onnxruntime-node's provider");
    expect(webnn?.state).toBe('unsupported');
    expect(webnn?.result?.error).toMatch(/WebNN/i);
    expect(broken?.state).toBe('failed');
    expect(broken?.result?.error).toContain('cannot create a session');
  });
});
