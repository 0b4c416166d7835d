import { seededRandom } from '../tensors/index.js';

/** Fewest points on each side of a change, unless told otherwise. */
export const DEFAULT_MIN_SEGMENT = 4;

/** How sure a change must be to be reported, and what it takes to look for one. */
export interface ChangePointOptions {
  /** The largest permutation p-value reported as a change: the sensitivity (default 0.005). */
  alpha?: number;
  /** Fewest points on each side of a change (default `DEFAULT_MIN_SEGMENT`). */
  minSegment?: number;
  /** Permutations per test (default 199). */
  permutations?: number;
  /** Seed of the permutations: the same series always gives the same answer. */
  seed?: number;
}

export interface ChangePoint {
  /** The index of the first point after the change. */
  index: number;
  /** Median after over median before, minus 1: +0.25 is 25% up. */
  relativeChange: number;
  medianBefore: number;
  medianAfter: number;
  /** 1 - the permutation p-value. */
  confidence: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Ranks 1..n, ties given their average rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/**
 * The split of `r` (ranks) whose two sides differ most by the Mann-Whitney statistic: the
 * largest |z| of the rank sum before each split, and where. O(n) by a running sum.
 */
function bestSplit(r: readonly number[], minSegment: number): { at: number; z: number } {
  const n = r.length;
  let best = { at: -1, z: 0 };
  let sum = 0;
  for (let k = 1; k < n; k++) {
    sum += r[k - 1]!;
    if (k < minSegment || n - k < minSegment) continue;
    const mean = (k * (n + 1)) / 2;
    const sd = Math.sqrt((k * (n - k) * (n + 1)) / 12);
    const z = Math.abs(sum - mean) / sd;
    if (z > best.z) best = { at: k, z };
  }
  return best;
}

/** Sum of absolute deviations from the median: a segment's cost, blind to outliers. */
function cost(values: readonly number[]): number {
  const m = median(values);
  return values.reduce((sum, v) => sum + Math.abs(v - m), 0);
}

/**
 * Where in a segment known to change the change is: the split whose two sides each sit closest
 * to their own median. (The rank statistic says *whether*; standardized, it leans to central
 * splits, so it is a poor judge of *where*.)
 */
function locate(segment: readonly number[], minSegment: number): number {
  let best = { at: -1, cost: Number.POSITIVE_INFINITY };
  for (let k = minSegment; k <= segment.length - minSegment; k++) {
    const total = cost(segment.slice(0, k)) + cost(segment.slice(k));
    if (total < best.cost) best = { at: k, cost: total };
  }
  return best.at;
}

/**
 * Change points in a series by binary segmentation with a rank test, as E-divisive does with
 * its energy statistic: the split where the Mann-Whitney statistic is largest is a change when
 * a permutation test (the same statistic's largest value over shuffles of the segment) finds it
 * unlikely by chance at `alpha`, placed where the two sides sit closest to their medians; then
 * each side is searched the same way. Ranks and medians make it blind to the outliers latency
 * series have; the permutation test makes the many splits tried count.
 */
export function changePoints(
  series: readonly number[],
  options: ChangePointOptions = {},
): ChangePoint[] {
  const alpha = options.alpha ?? 0.005;
  const minSegment = options.minSegment ?? DEFAULT_MIN_SEGMENT;
  const permutations = options.permutations ?? 199;
  const random = seededRandom(options.seed ?? 1);
  const found: ChangePoint[] = [];
  const search = (from: number, to: number) => {
    if (to - from < 2 * minSegment) return;
    const segment = series.slice(from, to);
    const r = ranks(segment);
    const best = bestSplit(r, minSegment);
    if (best.at < 0) return;
    let asExtreme = 0;
    const shuffled = r.slice();
    for (let p = 0; p < permutations; p++) {
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      if (bestSplit(shuffled, minSegment).z >= best.z) asExtreme++;
    }
    const pValue = (asExtreme + 1) / (permutations + 1);
    if (pValue > alpha) return;
    const at = from + locate(segment, minSegment);
    const before = median(series.slice(from, at));
    const after = median(series.slice(at, to));
    found.push({
      index: at,
      relativeChange: before === 0 ? 0 : after / before - 1,
      medianBefore: before,
      medianAfter: after,
      confidence: 1 - pValue,
    });
    search(from, at);
    search(at, to);
  };
  search(0, series.length);
  return found.sort((a, b) => a.index - b.index);
}
