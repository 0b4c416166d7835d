import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  compareOutputs,
  DEFAULT_TOLERANCES,
  type ReferenceOutputs,
} from '../../../models/index.js';
import type { TensorSummary } from '../../../protocol/index.js';

const reference: ReferenceOutputs = {
  y: { dims: [1, 4], type: 'float32', data: [0.5, -2, 100, 0] },
};

function summary(data: number[], dims = [1, 4]): TensorSummary {
  const sha256 = createHash('sha256')
    .update(new Uint8Array(Float32Array.from(data).buffer))
    .digest('hex');
  return {
    type: 'float32',
    dims,
    sha256,
    min: Math.min(...data),
    max: Math.max(...data),
    mean: 0,
    data,
  };
}

const tolerance = { absolute: 1e-4, relative: 1e-3 };

describe('compareOutputs', () => {
  it('passes equal outputs', () => {
    expect(compareOutputs(reference, { y: summary([0.5, -2, 100, 0]) }, tolerance)).toEqual({
      pass: true,
      maxAbsError: 0,
      maxRelError: 0,
      problems: [],
    });
  });

  it('passes a value within either the absolute or the relative tolerance, reporting both maxima', () => {
    // 100.05: absolute error 0.05 is too large, relative 5e-4 is fine; 5e-5 near 0 is absolute-fine.
    const result = compareOutputs(reference, { y: summary([0.5, -2, 100.05, 5e-5]) }, tolerance);
    expect(result.pass).toBe(true);
    expect(result.maxAbsError).toBeCloseTo(0.05, 6);
    expect(result.maxRelError).toBeCloseTo(50, 3); // 5e-5 / max(|0|, 1e-6)
  });

  it('fails a value outside both tolerances and says where', () => {
    const result = compareOutputs(reference, { y: summary([0.5, -2.01, 100, 0]) }, tolerance);
    expect(result.pass).toBe(false);
    expect(result.maxAbsError).toBeCloseTo(0.01, 6);
    expect(result.maxRelError).toBeCloseTo(0.005, 6);
    expect(result.problems).toEqual([
      "output 'y': 1 of 4 values are outside the tolerance (absolute 0.0001, relative 0.001); first at index 1: -2.01, reference -2",
    ]);
  });

  it('fails NaN against a number', () => {
    const result = compareOutputs(reference, { y: summary([Number.NaN, -2, 100, 0]) }, tolerance);
    expect(result.pass).toBe(false);
    expect(result.maxAbsError).toBe(Number.POSITIVE_INFINITY);
  });

  it('reports a missing output', () => {
    const result = compareOutputs(reference, {}, tolerance);
    expect(result).toMatchObject({ pass: false, problems: ["output 'y' is missing"] });
  });

  it('reports a shape mismatch', () => {
    const result = compareOutputs(reference, { y: summary([0.5, -2, 100, 0], [4]) }, tolerance);
    expect(result).toMatchObject({
      pass: false,
      problems: ["output 'y' has shape [4], the reference has [1,4]"],
    });
  });

  it('compares by sha256 of the float32 bytes when the output came without values', () => {
    const { data: _exact, ...exact } = summary([0.5, -2, 100, 0]);
    const { data: _close, ...close } = summary([0.5, -2, 100.000_01, 0]);
    expect(compareOutputs(reference, { y: exact }, tolerance).pass).toBe(true);
    const result = compareOutputs(reference, { y: close }, tolerance);
    expect(result.pass).toBe(false);
    expect(result.problems[0]).toContain('sha256 differs');
  });

  it('has a default tolerance for every execution provider', () => {
    expect(DEFAULT_TOLERANCES).toEqual({
      cpu: { absolute: 1e-5, relative: 1e-3 },
      wasm: { absolute: 1e-4, relative: 1e-3 },
      webgpu: { absolute: 1e-3, relative: 1e-3 },
      webnn: { absolute: 1e-2, relative: 1e-3 },
    });
  });
});
