import { describe, expect, it } from 'vitest';
import type { StageSpeeds } from '../../../../protocol/index.js';
import {
  type CandidateWorker,
  PlacementError,
  placeStages,
  type StageDemand,
} from '../../../../sharding/placement/place-stages.js';
import { NO_SPEEDS } from '../../../../sharding/placement/speeds.js';
import { workerBackends } from '../../../../sharding/placement/worker-backends.js';
import { browserCapabilities, nodeCapabilities } from '../../../support/fixtures.js';

const MB = 1024 * 1024;
const GFLOP = 1e9;

const chromiumWithGpu = browserCapabilities('chromium', {
  webgpu: { available: true, features: [], limits: {} },
});

function worker(id: string, browser: string, budgetMb = 1024): CandidateWorker {
  const capabilities =
    browser === 'node'
      ? nodeCapabilities()
      : browser === 'chromium-gpu'
        ? chromiumWithGpu
        : browserCapabilities(browser);
  return {
    id,
    name: `${browser}-${id}`,
    browser: browser === 'chromium-gpu' ? 'chromium' : browser,
    backends: workerBackends(capabilities),
    budgetBytes: budgetMb * MB,
  };
}

function stages(...gflops: number[]): StageDemand[] {
  return gflops.map((g, index) => ({ index, costFlops: g * GFLOP, memoryBytes: 100 * MB }));
}

describe('workerBackends', () => {
  it('offers what the probe found, with the probe’s words for the rest', () => {
    expect(workerBackends(browserCapabilities('firefox'))).toEqual({
      available: ['wasm'],
      unavailable: {
        cpu: expect.stringContaining('Node workers'),
        webgpu: 'no adapter',
        webnn: 'no WebNN context',
      },
    });
    expect(workerBackends(chromiumWithGpu).available).toEqual(['wasm', 'webgpu']);
    expect(workerBackends(nodeCapabilities()).available).toEqual(['cpu']);
  });
});

describe('placeStages', () => {
  it('puts each stage on a worker of its own when there are enough', () => {
    const workers = [worker('a', 'chromium'), worker('b', 'chromium'), worker('c', 'firefox')];
    const placement = placeStages(stages(1, 1, 1), workers, {
      backends: ['wasm'],
      speeds: NO_SPEEDS,
    });
    expect(new Set(placement.stages.map((s) => s.workerId)).size).toBe(3);
    expect(placement.stages.map((s) => s.stage)).toEqual([0, 1, 2]);
  });

  it('gives the largest stage to the fastest measured worker and says why', () => {
    const speeds: StageSpeeds = {
      byWorker: { 'chromium-fast': { wasm: { msPerGflop: 10, samples: 8 } } },
      byBrowser: { chromium: { wasm: { msPerGflop: 40, samples: 20 } } },
    };
    const fast = { ...worker('fast', 'chromium'), name: 'chromium-fast' };
    const placement = placeStages(stages(1, 4), [worker('slow', 'chromium'), fast], {
      backends: ['wasm'],
      speeds,
    });
    const big = placement.stages[1]!;
    expect(big.workerName).toBe('chromium-fast');
    expect(big.expectedMs).toBe(40);
    expect(big.why).toContain('10.0 ms/GFLOP over 8 runs of this worker');
    expect(placement.stages[0]!.speed.source).toBe('browser');
    expect(placement.bottleneckMs).toBe(40);
  });

  it('shares a worker between stages only when that lowers the bottleneck', () => {
    const speeds: StageSpeeds = {
      byWorker: {
        'chromium-a': { wasm: { msPerGflop: 1, samples: 1 } },
        'chromium-b': { wasm: { msPerGflop: 100, samples: 1 } },
      },
      byBrowser: {},
    };
    const placement = placeStages(
      stages(2, 1, 1),
      [worker('a', 'chromium'), worker('b', 'chromium')],
      {
        backends: ['wasm'],
        speeds,
      },
    );
    expect(placement.stages.every((s) => s.workerId === 'a')).toBe(true);
    expect(placement.stages[2]!.why).toContain('sharing the worker');
  });

  it('picks the faster backend on a worker that has two', () => {
    const speeds: StageSpeeds = {
      byWorker: {},
      byBrowser: {
        chromium: { wasm: { msPerGflop: 50, samples: 3 }, webgpu: { msPerGflop: 5, samples: 3 } },
      },
    };
    const placement = placeStages(stages(1), [worker('g', 'chromium-gpu')], {
      backends: ['wasm', 'webgpu'],
      speeds,
    });
    expect(placement.stages[0]!.backend).toBe('webgpu');
  });

  it('keeps each worker within its memory budget across the stages it holds', () => {
    const big: StageDemand[] = [0, 1, 2].map((index) => ({
      index,
      costFlops: GFLOP,
      memoryBytes: 600 * MB,
    }));
    const placement = placeStages(
      big,
      [worker('a', 'chromium', 1300), worker('b', 'chromium', 700)],
      {
        backends: ['wasm'],
        speeds: NO_SPEEDS,
      },
    );
    const onA = placement.stages.filter((s) => s.workerId === 'a').length;
    expect(onA).toBe(2);
  });

  it('names every worker’s reason when a stage fits none', () => {
    const call = () =>
      placeStages(
        [{ index: 2, costFlops: GFLOP, memoryBytes: 900 * MB }],
        [worker('a', 'chromium', 512), worker('f', 'firefox')],
        { backends: ['webgpu'], speeds: NO_SPEEDS },
      );
    expect(call).toThrow(PlacementError);
    expect(call).toThrow(
      'stage 2 (900.0 MB) fits no worker: chromium-a: webgpu: no adapter; firefox-f: webgpu: no adapter',
    );
    expect(() =>
      placeStages(stages(1), [worker('a', 'chromium', 50)], {
        backends: ['wasm'],
        speeds: NO_SPEEDS,
      }),
    ).toThrow('chromium-a: needs 100.0 MB, budget 50.0 MB');
  });

  it('is a pure function of its inputs', () => {
    const workers = [worker('a', 'chromium'), worker('b', 'firefox'), worker('c', 'node')];
    const run = () =>
      placeStages(stages(3, 1, 2, 2), workers, { backends: ['wasm', 'cpu'], speeds: NO_SPEEDS });
    expect(run()).toEqual(run());
  });
});
