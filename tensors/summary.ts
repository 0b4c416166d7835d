import type { TensorSummary, TensorType } from '../protocol/index.js';
import type { TensorData } from './tensor-data.js';

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
