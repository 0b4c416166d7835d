/** The `p`th percentile (0–100) of `values` by the nearest-rank method; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The median and 99th percentile of a latency sample. */
export interface LatencyPercentiles {
  p50: number;
  p99: number;
}

export function latencyPercentiles(values: readonly number[]): LatencyPercentiles {
  return { p50: percentile(values, 50), p99: percentile(values, 99) };
}
