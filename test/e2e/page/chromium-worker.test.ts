import { describe, expect, test } from 'vitest';
import { artifactPath } from '../../support/artifacts.js';
import { postJson } from '../../support/rest.js';
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
    expect(capabilities.taskKinds).toEqual([
      'model',
      'webgpu',
      'page-test',
      'shard-stage',
      'plugin',
    ]);
    expect(capabilities.features).toEqual(
      expect.arrayContaining(['webgpu', 'webgpu-fallback', 'wasm-simd']),
    );
    expect(capabilities.os).toBe('linux');
  });

  test('shows a person its name, what it found, what it runs now and how its tasks went', async () => {
    const { page, coordinator, worker } = setup;
    const broken = DOUBLING_SHADER.replace('input[id.x] * 2.0', 'input[id.x] * undefinedName');
    // One slot: the tasks run in turn, the slow one last, long enough to be seen running.
    const slow = moduleUrl(
      'export const tests = { async waits() { await new Promise((r) => setTimeout(r, 3000)); } };',
    );
    const submitted = await postJson(coordinator.url, '/api/tasks/submit', coordinator.adminKey, {
      tasks: [
        { ...doublingTask(), name: 'doubles on the GPU' },
        { ...doublingTask(broken), name: 'a broken shader' },
        { kind: 'page-test', name: 'a slow page test', payload: { module: slow } },
      ],
    });
    expect(submitted.status).toBe(201);
    // The page's DOM, read by scripts in it (the tests are compiled without the DOM's types).
    const rowOf = async (table: string, name: string) => {
      const rows = `[...document.querySelectorAll('[data-role=${table}] tbody tr')]`;
      const found = await page.waitForFunction(
        `${rows}.find((row) => row.textContent.includes(${JSON.stringify(name)}))?.textContent`,
        { timeout: 60_000 },
      );
      return (await found.jsonValue()) as string;
    };
    const text = (selector: string) =>
      page.evaluate(
        `document.querySelector(${JSON.stringify(selector)}).innerText`,
      ) as Promise<string>;
    const running = await rowOf('running', 'a slow page test');
    expect(running).toMatch(/^a slow page testpage-test-(\d+ ms|\d+\.\d s)$/);
    await page.screenshot({ path: artifactPath('worker-page.png'), fullPage: true });

    expect(await rowOf('recent', 'doubles on the GPU')).toMatch(
      /doubles on the GPUwebgpuwebgpupassed\d+ ms$/,
    );
    expect(await rowOf('recent', 'a broken shader')).toMatch(
      /a broken shaderWGSL compilation failed:[\s\S]*undefinedName[\s\S]*webgpuwebgpufailed/,
    );
    expect(await rowOf('recent', 'a slow page test')).toMatch(
      /a slow page testpage-test-passed\d\.\d s$/,
    );
    expect(await text('[data-role=name]')).toBe(worker.name);
    const capabilities = await text('[data-role=capabilities]');
    expect(capabilities).toMatch(/WebGPU\s+.*swiftshader \(fallback adapter: software, slow\)/);
    expect(capabilities).toMatch(/WebNN\s+unavailable: \S/);
    expect(capabilities).toMatch(/WebAssembly\s+SIMD yes, threads no/);
    expect(await text('[data-role=connection]')).toBe('Coordinator: connected');
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
