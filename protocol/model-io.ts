import {
  elementCount,
  type TensorInput,
  type TensorSummary,
  type TensorType,
  tensorByteLength,
} from './task-kinds.js';

/** The typed array each tensor type is held in, on every worker. */
export type TensorData = Float32Array | Int32Array | BigInt64Array;

/** mulberry32: a tiny generator that gives the same sequence in every JavaScript engine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The values of a model input. Seeded floats are uniform in [-1, 1); seeded integers are
 * uniform in [0, 100). Node and browser workers produce identical bytes for the same input.
 */
export function materializeTensor(input: TensorInput): TensorData {
  const count = elementCount(input.dims);
  const random = input.seed === undefined ? undefined : seededRandom(input.seed);
  const value = (i: number) => (random === undefined ? input.data![i]! : random());
  switch (input.type) {
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => (random ? value(i) * 2 - 1 : value(i)));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) =>
        random ? Math.floor(value(i) * 100) : value(i),
      );
    case 'int64':
      return BigInt64Array.from({ length: count }, (_, i) =>
        BigInt(random ? Math.floor(value(i) * 100) : Math.trunc(value(i))),
      );
  }
}

/** Little-endian bytes of the elements: what `TensorSummary.sha256` hashes. */
export function tensorBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The elements of a tensor from its little-endian bytes (what `tensorBytes` gives); throws,
 * naming both sizes, when the bytes are not exactly a tensor of that type and shape.
 */
export function tensorFromBytes(
  type: TensorType,
  dims: readonly number[],
  bytes: Uint8Array,
): TensorData {
  const expected = tensorByteLength(type, dims);
  if (bytes.byteLength !== expected) {
    throw new Error(
      `${bytes.byteLength} bytes are not a ${type} [${dims.join(', ')}] tensor, which is ${expected} bytes`,
    );
  }
  // A typed array must start at a multiple of its element size: copy bytes that do not.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const count = elementCount(dims);
  switch (type) {
    case 'float32':
      return new Float32Array(aligned.buffer, aligned.byteOffset, count);
    case 'int32':
      return new Int32Array(aligned.buffer, aligned.byteOffset, count);
    case 'int64':
      return new BigInt64Array(aligned.buffer, aligned.byteOffset, count);
  }
}

/**
 * Statistics and (when at most `maxElements`) the values of an output. `sha256` is computed by
 * the caller over `tensorBytes`, with whatever hash the platform offers.
 */
export function summarizeTensor(
  type: TensorType | string,
  dims: readonly number[],
  data: TensorData,
  sha256: string,
  maxElements: number,
): TensorSummary {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const element of data) {
    const v = Number(element);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const summary: TensorSummary = {
    type,
    dims: [...dims],
    sha256,
    min: data.length === 0 ? 0 : min,
    max: data.length === 0 ? 0 : max,
    mean: data.length === 0 ? 0 : sum / data.length,
  };
  if (data.length <= maxElements) summary.data = Array.from(data, Number);
  return summary;
}

/**
 * Median, 90th percentile (nearest rank) and mean of timed runs. The mean comes from one
 * interval around all runs (`totalMs`), so it stays meaningful where the clock is coarse
 * (Firefox rounds `performance.now()` to 1 ms).
 */
export function latencySummary(
  samples: readonly number[],
  totalMs: number,
): { medianMs: number; p90Ms: number; meanMs: number; runs: number } {
  if (samples.length === 0) return { medianMs: 0, p90Ms: 0, meanMs: 0, runs: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    medianMs: rank(0.5),
    p90Ms: rank(0.9),
    meanMs: totalMs / samples.length,
    runs: samples.length,
  };
}
