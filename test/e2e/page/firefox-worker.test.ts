import { describe, expect, test } from 'vitest';
import { mlp } from '../../../models/index.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import {
  browserCapabilities,
  doublingTask,
  runTasks,
  storeArtifact,
  useWorkerPage,
} from './page-worker.js';

cleanUpAfterAll();

describe('the worker page in headless Firefox ESR (no WebGPU adapter here)', () => {
  const setup = useWorkerPage('firefox');

  test('registers as Firefox, with WebGPU unavailable and the reason why', () => {
    const capabilities = browserCapabilities(setup.worker);
    expect(capabilities.browser).toMatchObject({ name: 'firefox', engine: 'gecko' });
    expect(capabilities.webgpu.available).toBe(false);
    expect(capabilities.webgpu.reason).toMatch(/adapter|WebGPU/);
    expect(capabilities.webnn).toMatchObject({
      available: false,
      reason: 'navigator.ml is absent: this browser has no WebNN',
    });
    expect(capabilities.features).not.toContain('webgpu');
    expect(capabilities.features).toContain('wasm-simd');
  });

  test('a WebGPU task is unsupported here, with the reason; a page test runs', async () => {
    const [shader, pageTest] = await runTasks(setup.coordinator, [
      doublingTask(),
      { kind: 'page-test', payload: { module: `${setup.pageTestsUrl}/basic.js` } },
    ]);
    expect(shader?.state).toBe('unsupported');
    expect(shader?.result?.error).toBe(browserCapabilities(setup.worker).webgpu.reason);
    expect(pageTest?.state).toBe('succeeded');
    expect(pageTest?.result?.output).toMatchObject({ kind: 'page-test', passed: 4, failed: 0 });
  });

  test('onnxruntime-web runs a model on wasm; on webgpu the task is unsupported in its words', async () => {
    const model = mlp(3);
    const ref = await storeArtifact(setup.coordinator, model.bytes);
    const payload = { model: ref, inputs: model.inputs, runs: 1 };
    const [wasm, webgpu] = await runTasks(setup.coordinator, [
      { kind: 'model', payload: { ...payload, executionProvider: 'wasm' } },
      { kind: 'model', payload: { ...payload, executionProvider: 'webgpu' } },
    ]);
    expect(wasm?.state, JSON.stringify(wasm?.result)).toBe('succeeded');
    expect(webgpu?.state).toBe('unsupported');
    expect(webgpu?.result?.error).toMatch(/^cannot create a session: .*(adapter|not supported)/i);
  });
});
