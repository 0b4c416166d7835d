import { describe, expect, test } from 'vitest';
import { cleanUpAfterAll } from '../../support/teardown.js';
import {
  browserCapabilities,
  DOUBLING_SHADER,
  doublingTask,
  moduleUrl,
  runTasks,
  useWorkerPage,
} from './page-worker.js';

cleanUpAfterAll();

describe('the worker page in headless Chromium (WebGPU on SwiftShader)', () => {
  const setup = useWorkerPage('chromium');

  test('registers with the capabilities it probed', () => {
    const capabilities = browserCapabilities(setup.worker);
    expect(capabilities.browser).toMatchObject({ name: 'chromium', engine: 'blink' });
    expect(capabilities.browser.version).toMatch(/^\d+\.\d+/);
    expect(capabilities.webgpu).toMatchObject({
      available: true,
      adapter: { architecture: 'swiftshader', isFallbackAdapter: true },
    });
    expect(capabilities.webgpu.limits.maxComputeWorkgroupSizeX).toBeGreaterThan(0);
    expect(capabilities.webnn.available).toBe(false);
    expect(capabilities.webnn.reason).toBeTruthy();
    expect(capabilities.wasm).toMatchObject({ simd: true, crossOriginIsolated: false });
    expect(capabilities.taskKinds).toEqual(['model', 'webgpu', 'page-test', 'shard-stage']);
    expect(capabilities.features).toEqual(
      expect.arrayContaining(['webgpu', 'webgpu-fallback', 'wasm-simd']),
    );
    expect(capabilities.os).toBe('linux');
  });

  test('loads without an error in its console (no missing favicon either)', () => {
    expect(setup.pageConsole.filter((line) => line.startsWith('error:'))).toEqual([]);
  });

  test('runs a WGSL shader and checks its output; reports compiler errors', async () => {
    const broken = DOUBLING_SHADER.replace('input[id.x] * 2.0', 'input[id.x] * undefinedName');
    const [doubled, failed] = await runTasks(setup.coordinator, [
      doublingTask(),
      doublingTask(broken),
    ]);
    expect(doubled?.state).toBe('succeeded');
    expect(doubled?.result?.output).toMatchObject({
      kind: 'webgpu',
      adapter: { architecture: 'swiftshader' },
      buffers: { '1': [2, 4, 7, -8] },
      maxAbsError: 0,
    });
    expect(failed?.state).toBe('failed');
    expect(failed?.result?.error).toMatch(/WGSL compilation failed:\n\d+:\d+ .*undefinedName/);
  });

  test('runs page-test modules: per-test results, failures with stacks, import errors', async () => {
    const failing = moduleUrl(`
      export const tests = {
        passes() {},
        throws() { console.error('about to fail'); throw new Error('expected 1 to be 2'); },
      };`);
    const [basic, mixed, missing] = await runTasks(setup.coordinator, [
      { kind: 'page-test', payload: { module: `${setup.pageTestsUrl}/basic.js` } },
      { kind: 'page-test', retry: { maxRetries: 0 }, payload: { module: failing } },
      {
        kind: 'page-test',
        retry: { maxRetries: 0 },
        payload: { module: `${setup.pageTestsUrl}/no-such-module.js` },
      },
    ]);
    expect(basic?.state).toBe('succeeded');
    expect(basic?.result?.output).toMatchObject({ kind: 'page-test', passed: 4, failed: 0 });

    expect(mixed?.state).toBe('failed');
    const output = mixed?.result?.output;
    if (output?.kind !== 'page-test') throw new Error('expected a page-test output');
    expect(output.tests.map((t) => [t.name, t.status])).toEqual([
      ['passes', 'passed'],
      ['throws', 'failed'],
    ]);
    expect(output.tests[1]?.error).toMatch(/^expected 1 to be 2\n.*Error: expected 1 to be 2/s);
    expect(mixed?.result?.logs).toEqual(['console.error: about to fail']);

    expect(missing?.state).toBe('failed');
    expect(missing?.result?.error).toContain(
      `cannot import ${setup.pageTestsUrl}/no-such-module.js`,
    );
  });

  test('a task that does not finish within its timeout is reported timed out', async () => {
    const hangs = moduleUrl('export const tests = { hangs: () => new Promise(() => {}) };');
    const [hung, after] = await runTasks(setup.coordinator, [
      { kind: 'page-test', timeoutMs: 500, retry: { maxRetries: 0 }, payload: { module: hangs } },
      { kind: 'page-test', payload: { module: `${setup.pageTestsUrl}/basic.js` } },
    ]);
    expect(hung?.state).toBe('timed_out');
    expect(hung?.result?.error).toMatch(
      /^gave up after 1 attempt; last: .*within its timeout of 500 ms/,
    );
    expect(after?.state).toBe('succeeded');
  });

  test('a task that blocks the main thread for longer than the heartbeat limit keeps its worker', async () => {
    // The test coordinator declares a worker dead after 3 missed 200 ms heartbeats.
    const blocks = moduleUrl(`export const tests = {
      blocks() { const end = performance.now() + 2000; while (performance.now() < end); },
    };`);
    const [blocked] = await runTasks(setup.coordinator, [
      { kind: 'page-test', retry: { maxRetries: 0 }, payload: { module: blocks } },
    ]);
    expect(blocked?.state).toBe('succeeded');
    expect(blocked?.history).toEqual([]);
  });
});
