import { describe, expect, it } from 'vitest';
import { gelu, layerNorm, matmul, relu, softmax } from '../src/kernels.js';

describe('kernels', () => {
  it('matmul multiplies a 2x3 by a 3x2 matrix', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([7, 8, 9, 10, 11, 12]);
    expect([...matmul(a, b, 2, 3, 2)]).toEqual([58, 64, 139, 154]);
  });

  it('relu zeroes negatives', () => {
    expect([...relu(Float32Array.from([-2, 0, 3]))]).toEqual([0, 0, 3]);
  });

  it('softmax rows sum to one and survive large logits', () => {
    const out = softmax(Float32Array.from([1000, 1001, 1002, 0, 0, 0]), 2, 3);
    expect(out[0] + out[1] + out[2]).toBeCloseTo(1, 6);
    expect(out[3]).toBeCloseTo(1 / 3, 6);
    expect(Number.isFinite(out[2])).toBe(true);
  });

  it('gelu matches reference values', () => {
    const out = gelu(Float32Array.from([-1, 0, 1, 2]));
    for (const [i, expected] of [-0.158808, 0, 0.841192, 1.954598].entries()) {
      expect(out[i]).toBeCloseTo(expected, 5);
    }
  });

  it('layerNorm gives zero mean and unit variance per row', () => {
    const out = layerNorm(Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), 2, 4);
    for (const row of [out.subarray(0, 4), out.subarray(4)]) {
      const mean = row.reduce((s, v) => s + v, 0) / 4;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 3);
    }
  });
});
