import { describe, expect, it } from 'vitest';
import { capabilityLines, shortDuration } from '../../../../browser-worker/page/status-lines.js';
import { RECENT_RESULTS, WorkerStatus } from '../../../../browser-worker/page/worker-status.js';
import type { Assignment, BrowserCapabilities } from '../../../../protocol/index.js';

const capabilities: BrowserCapabilities = {
  kind: 'browser',
  os: 'linux',
  arch: 'x64',
  cpus: 8,
  memoryMb: 8192,
  browser: { name: 'chromium', version: '156.0.1', engine: 'blink', userAgent: 'ua' },
  webgpu: {
    available: true,
    adapter: {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: '',
      isFallbackAdapter: true,
    },
    features: [],
    limits: {},
  },
  webnn: {
    available: true,
    deviceTypes: {
      cpu: { available: true },
      gpu: { available: false, reason: 'no GPU context' },
      npu: { available: false },
    },
  },
  wasm: { simd: true, threads: false, crossOriginIsolated: false },
  taskKinds: ['model'],
  features: [],
};

function modelTask(taskId: string, attempt = 1): Assignment {
  return {
    taskId,
    attempt,
    leaseToken: 1,
    timeoutMs: 60_000,
    name: `model ${taskId}`,
    kind: 'model',
    payload: {
      model: 'a'.repeat(64),
      executionProvider: 'webnn',
      webnnDeviceType: 'gpu',
      inputs: {},
      runs: 1,
      maxOutputElements: 16,
    },
  };
}

describe('what the worker page shows', () => {
  it('names each capability, a fallback WebGPU adapter and each WebNN device type', () => {
    expect(capabilityLines(capabilities)).toEqual([
      { label: 'Browser', value: 'chromium 156.0.1 (blink) on linux x64, 8 CPUs', ok: true },
      {
        label: 'WebGPU',
        value: 'google · swiftshader (fallback adapter: software, slow)',
        ok: true,
      },
      { label: 'WebNN', value: 'cpu yes, gpu no (no GPU context), npu no', ok: true },
      {
        label: 'WebAssembly',
        value: 'SIMD yes, threads no (the page is not cross-origin isolated)',
        ok: true,
      },
    ]);
    const absent = { available: false, reason: 'navigator.ml is absent' };
    const none = capabilityLines({
      ...capabilities,
      webgpu: { available: false, reason: 'navigator.gpu is absent', features: [], limits: {} },
      webnn: {
        available: false,
        reason: 'navigator.ml is absent',
        deviceTypes: { cpu: absent, gpu: absent, npu: absent },
      },
    });
    expect(none[1]).toEqual({
      label: 'WebGPU',
      value: 'unavailable: navigator.gpu is absent',
      ok: false,
    });
    expect(none[2]).toEqual({
      label: 'WebNN',
      value: 'unavailable: navigator.ml is absent',
      ok: false,
    });
  });

  it('keeps what runs with its backend, and the last results newest first, with their errors', () => {
    const status = new WorkerStatus('w1', 'chromium-156-w1');
    let changes = 0;
    status.subscribe(() => changes++);
    status.taskStarted(modelTask('t1'));
    expect(status.current().running).toMatchObject([
      { label: 'model t1', kind: 'model', backend: 'webnn gpu' },
    ]);
    expect(globalThis.__dtfWorker).toMatchObject({ workerId: 'w1', busy: true, tasksDone: 0 });
    status.taskFinished({
      taskId: 't1',
      attempt: 1,
      leaseToken: 1,
      result: { status: 'failed', durationMs: 12, error: 'max abs error 0.5' },
    });
    expect(status.current()).toMatchObject({
      running: [],
      tasksDone: 1,
      recent: [
        { label: 'model t1', backend: 'webnn gpu', status: 'failed', error: 'max abs error 0.5' },
      ],
    });
    for (let i = 2; i < RECENT_RESULTS + 5; i++) {
      status.taskStarted(modelTask(`t${i}`));
      status.taskFinished({
        taskId: `t${i}`,
        attempt: 1,
        leaseToken: 1,
        result: { status: 'succeeded', durationMs: 1 },
      });
    }
    expect(status.current().recent).toHaveLength(RECENT_RESULTS);
    expect(status.current().recent[0]!.label).toBe(`model t${RECENT_RESULTS + 4}`);
    expect(changes).toBe(2 * (RECENT_RESULTS + 4));
  });

  it('a refused token is a final state, with its reason for the page and the pool', () => {
    const status = new WorkerStatus('w1', 'chromium-156-w1');
    status.rejected('the coordinator rejected the worker token (HTTP 401: invalid token)');
    expect(status.current()).toMatchObject({
      connection: 'rejected',
      connectionText:
        'rejected: the coordinator rejected the worker token (HTTP 401: invalid token)',
    });
    expect(globalThis.__dtfWorker).toMatchObject({
      connection: 'rejected',
      problem: 'the coordinator rejected the worker token (HTTP 401: invalid token)',
    });
  });

  it('writes durations short', () => {
    expect([850, 12_340, 245_000].map(shortDuration)).toEqual(['850 ms', '12.3 s', '4 min 05 s']);
  });
});
