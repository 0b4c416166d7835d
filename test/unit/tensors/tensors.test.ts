import { describe, expect, it } from 'vitest';
import { latencySummary, materializeTensor, summarizeTensor } from '../../../tensors/index.js';

describe('model inputs and outputs', () => {
  it('generates the same seeded input every time, in [-1, 1) for floats', () => {
    const input = { type: 'float32' as const, dims: [2, 3], seed: 9 };
    const a = materializeTensor(input) as Float32Array;
    expect(a).toEqual(materializeTensor(input));
    expect(a).toHaveLength(6);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(materializeTensor({ ...input, seed: 10 })).not.toEqual(a);
  });

  it('keeps values only up to the element limit, statistics always', () => {
    const data = Float32Array.from([1, -2, 4]);
    expect(summarizeTensor('float32', [3], data, 'h', 3)).toEqual({
      type: 'float32',
      dims: [3],
      sha256: 'h',
      min: -2,
      max: 4,
      mean: 1,
      data: [1, -2, 4],
    });
    expect(summarizeTensor('float32', [3], data, 'h', 2).data).toBeUndefined();
  });

  it('summarizes latencies by nearest rank, with the mean from the whole interval', () => {
    expect(latencySummary([5, 1, 4, 2, 3, 6, 8, 7, 10, 9], 50)).toEqual({
      medianMs: 5,
      p90Ms: 9,
      meanMs: 5,
      runs: 10,
    });
    // A coarse clock reads every run as 0 ms; the interval around them still resolves the mean.
    expect(latencySummary([0, 0, 0, 0], 1)).toMatchObject({ medianMs: 0, meanMs: 0.25 });
  });
});
