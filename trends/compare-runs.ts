import type { ResultInput } from '../protocol/index.js';

/** A latency change smaller than this fraction of the earlier median is noise, not a change. */
export const LATENCY_CHANGE = 0.2;
/** Nor is one under this many ms (timer resolution, scheduling). */
const LATENCY_FLOOR_MS = 0.5;

/** A test where it ran: the key results of two runs are matched by. */
export function resultKey(result: Pick<ResultInput, 'test' | 'browser' | 'backend'>): string {
  return [result.test, result.browser ?? '', result.backend ?? ''].join('\u0000');
}

export interface LatencyChange {
  now: ResultInput;
  before: ResultInput;
  /** The median now over the median before: 1.5 is 50% slower. */
  ratio: number;
}

export interface RunComparison {
  /** Failed (or errored) now, passed before. */
  newFailures: ResultInput[];
  /** Passed now, failed before. */
  fixed: ResultInput[];
  /** Passed both times, median latency up (or down) by more than `LATENCY_CHANGE`. */
  slower: LatencyChange[];
  faster: LatencyChange[];
  /** Tests in this run only, and in the earlier only. */
  added: ResultInput[];
  removed: ResultInput[];
}

const failing = (r: ResultInput) => r.status === 'failed' || r.status === 'error';

/** What changed from one run of a suite to the next, test by test where each ran. */
export function compareRuns(
  before: readonly ResultInput[],
  now: readonly ResultInput[],
): RunComparison {
  const earlier = new Map(before.map((r) => [resultKey(r), r]));
  const comparison: RunComparison = {
    newFailures: [],
    fixed: [],
    slower: [],
    faster: [],
    added: [],
    removed: [],
  };
  const seen = new Set<string>();
  for (const result of now) {
    const key = resultKey(result);
    seen.add(key);
    const was = earlier.get(key);
    if (was === undefined) {
      comparison.added.push(result);
      continue;
    }
    if (failing(result) && was.status === 'passed') comparison.newFailures.push(result);
    else if (result.status === 'passed' && failing(was)) comparison.fixed.push(result);
    else if (result.status === 'passed' && was.status === 'passed') {
      const a = was.metrics?.medianMs;
      const b = result.metrics?.medianMs;
      if (a === undefined || b === undefined || a <= 0) continue;
      if (Math.abs(b - a) < Math.max(LATENCY_FLOOR_MS, a * LATENCY_CHANGE)) continue;
      const change = { now: result, before: was, ratio: b / a };
      (b > a ? comparison.slower : comparison.faster).push(change);
    }
  }
  for (const [key, result] of earlier) if (!seen.has(key)) comparison.removed.push(result);
  comparison.slower.sort((x, y) => y.ratio - x.ratio);
  comparison.faster.sort((x, y) => x.ratio - y.ratio);
  return comparison;
}
