import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../../../protocol/index.js';
import { detectTrends, metricSeries } from '../../../trends/index.js';

/** Run i of a suite: `model mlp` on chromium webgpu 10 ms until run 12, 15 ms from there. */
function results(): StoredResult[] {
  return Array.from({ length: 20 }, (_, i): StoredResult[] => {
    const medianMs = (i >= 12 ? 15 : 10) + ((i * 7) % 5) * 0.1;
    const at = Date.UTC(2026, 11, 1) + i * 3_600_000;
    const run = { runId: `r${i}`, suite: 's', at, commit: `c${i}` };
    return [
      {
        ...run,
        test: 'model mlp',
        kind: 'model',
        browser: 'chromium',
        backend: 'webgpu',
        status: 'passed',
        durationMs: 1,
        metrics: { medianMs, throughput: 1000 / medianMs },
      },
      {
        ...run,
        test: 'model cnn',
        kind: 'model',
        browser: 'chromium',
        backend: 'wasm',
        status: 'passed',
        durationMs: 1,
        metrics: { medianMs: 3 + ((i * 3) % 4) * 0.1 },
      },
      // A failed run measures nothing: it is no point of a series.
      {
        ...run,
        test: 'flaky',
        kind: 'vitest',
        status: i % 2 === 0 ? 'passed' : 'failed',
        durationMs: 1,
      },
    ];
  })
    .flat()
    .reverse(); // as the store answers: the newest first
}

describe('trends', () => {
  it('draws one series per test, place and metric, oldest first', () => {
    const series = metricSeries(results());
    expect(
      series.map((s) => `${s.test} ${s.backend} ${s.metric} ${s.points.length}`).sort(),
    ).toEqual([
      'model cnn wasm medianMs 20',
      'model mlp webgpu medianMs 20',
      'model mlp webgpu throughput 20',
    ]);
    for (const s of series)
      expect(s.points.map((p) => p.runId)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
  });

  it('flags the step as a regression in latency and in throughput, in the commit range it happened', () => {
    const flags = detectTrends(results());
    expect(flags.map((f) => [f.series.metric, f.kind, f.before.commit, f.after.commit])).toEqual([
      ['medianMs', 'regression', 'c11', 'c12'],
      ['throughput', 'regression', 'c11', 'c12'],
    ]);
    expect(flags[0]!.change.relativeChange).toBeCloseTo(0.49, 1);
    expect(flags[0]!.change.confidence).toBeGreaterThanOrEqual(0.99);
  });
});
