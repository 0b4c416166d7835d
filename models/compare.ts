import { createHash } from 'node:crypto';
import type { ExecutionProvider, TensorSummary, Tolerance } from '../protocol/index.js';
import { type TensorData, tensorBytes } from '../tensors/index.js';
import type { ReferenceOutput, ReferenceOutputs } from './reference.js';

/** A value passes when its absolute error OR its relative error is within bounds. */
export type { Tolerance };

export const DEFAULT_TOLERANCES: Readonly<Record<ExecutionProvider, Tolerance>> = {
  cpu: { absolute: 1e-5, relative: 1e-3 },
  wasm: { absolute: 1e-4, relative: 1e-3 },
  webgpu: { absolute: 1e-3, relative: 1e-3 },
  webnn: { absolute: 1e-2, relative: 1e-3 },
};

export interface Comparison {
  pass: boolean;
  maxAbsError: number;
  maxRelError: number;
  problems: string[];
}

/** Relative errors divide by the reference value, but never by less than this. */
const SMALLEST_DIVISOR = 1e-6;

export function compareOutputs(
  reference: ReferenceOutputs,
  actual: Record<string, TensorSummary>,
  tolerance: Tolerance,
): Comparison {
  const comparison: Comparison = { pass: true, maxAbsError: 0, maxRelError: 0, problems: [] };
  for (const [name, expected] of Object.entries(reference)) {
    const problem = compareOutput(name, expected, actual[name], tolerance, comparison);
    if (problem) comparison.problems.push(problem);
  }
  comparison.pass = comparison.problems.length === 0;
  return comparison;
}

/** Compares one output, raising the comparison's error maxima; returns what is wrong, if anything. */
function compareOutput(
  name: string,
  expected: ReferenceOutput,
  actual: TensorSummary | undefined,
  tolerance: Tolerance,
  maxima: Comparison,
): string | undefined {
  if (!actual) return `output '${name}' is missing`;
  if (!sameDims(expected.dims, actual.dims)) {
    return `output '${name}' has shape [${actual.dims}], the reference has [${expected.dims}]`;
  }
  if (actual.type !== expected.type) {
    return `output '${name}' has type ${actual.type}, the reference has ${expected.type}`;
  }
  if (actual.data === undefined) return compareHashes(name, expected, actual.sha256);
  if (actual.data.length !== expected.data.length) {
    return `output '${name}' has ${actual.data.length} values for shape [${actual.dims}]`;
  }
  let failures = 0;
  let firstFailure = '';
  expected.data.forEach((want, i) => {
    const got = actual.data![i]!;
    const absError = absoluteError(got, want);
    const relError = Number.isFinite(absError)
      ? absError / Math.max(Math.abs(want), SMALLEST_DIVISOR)
      : absError;
    maxima.maxAbsError = Math.max(maxima.maxAbsError, absError);
    maxima.maxRelError = Math.max(maxima.maxRelError, relError);
    if (absError <= tolerance.absolute || relError <= tolerance.relative) return;
    if (failures++ === 0) firstFailure = `first at index ${i}: ${got}, reference ${want}`;
  });
  if (failures === 0) return undefined;
  return `output '${name}': ${failures} of ${expected.data.length} values are outside the tolerance (absolute ${tolerance.absolute}, relative ${tolerance.relative}); ${firstFailure}`;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NaN against a number is an infinite error; NaN against NaN, or ∞ against ∞, is none. */
function absoluteError(got: number, want: number): number {
  if (Object.is(got, want)) return 0;
  const error = Math.abs(got - want);
  return Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
}

/** An output sent without its values (too many of them) can only match exactly, by hash. */
function compareHashes(
  name: string,
  expected: ReferenceOutput,
  sha256: string,
): string | undefined {
  const data = typedData(expected);
  if (data === undefined) {
    return `output '${name}' came without values, and a ${expected.type} output is compared only by its values`;
  }
  if (createHash('sha256').update(tensorBytes(data)).digest('hex') === sha256) return undefined;
  return `output '${name}' came without values and its sha256 differs from the reference's (without values only an exact match passes)`;
}

function typedData({ type, data }: ReferenceOutput): TensorData | undefined {
  switch (type) {
    case 'float32':
      return Float32Array.from(data);
    case 'int32':
      return Int32Array.from(data);
    case 'int64':
      return BigInt64Array.from(data, BigInt);
    default:
      return undefined;
  }
}
