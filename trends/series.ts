import type { MetricName, StoredResult } from '../protocol/index.js';
import {
  type ChangePoint,
  type ChangePointOptions,
  changePoints,
  DEFAULT_MIN_SEGMENT,
} from './change-points.js';

/** Metrics where a rise is an improvement; in every other one a rise is a regression. */
const HIGHER_IS_BETTER: ReadonlySet<MetricName> = new Set(['throughput']);

/** The metrics trends are drawn for, in this order. */
export const TREND_METRICS: readonly MetricName[] = [
  'medianMs',
  'p90Ms',
  'throughput',
  'maxAbsError',
  'memoryMb',
];

export interface SeriesPoint {
  runId: string;
  at: number;
  commit?: string | undefined;
  value: number;
}

/** One metric of one test where it ran, across runs, oldest first. */
export interface Series {
  test: string;
  browser?: string | undefined;
  backend?: string | undefined;
  metric: MetricName;
  points: SeriesPoint[];
}

/** A change in a series: a regression or an improvement, where it happened and how sure. */
export interface TrendFlag {
  series: Omit<Series, 'points'>;
  kind: 'regression' | 'improvement';
  change: ChangePoint;
  /** The last point before the change and the first after: the commit range it is in. */
  before: SeriesPoint;
  after: SeriesPoint;
}

/** Results (any order) as series per test, browser, backend and metric, each oldest first. */
export function metricSeries(results: readonly StoredResult[]): Series[] {
  const series = new Map<string, Series>();
  const ordered = [...results].sort((a, b) => a.at - b.at || a.runId.localeCompare(b.runId));
  for (const result of ordered) {
    if (result.status !== 'passed' || result.metrics === undefined) continue;
    for (const metric of TREND_METRICS) {
      const value = result.metrics[metric];
      if (value === undefined) continue;
      const key = [result.test, result.browser ?? '', result.backend ?? '', metric].join('\u0000');
      let entry = series.get(key);
      if (entry === undefined) {
        entry = {
          test: result.test,
          browser: result.browser,
          backend: result.backend,
          metric,
          points: [],
        };
        series.set(key, entry);
      }
      entry.points.push({ runId: result.runId, at: result.at, commit: result.commit, value });
    }
  }
  return [...series.values()];
}

/** The change points of one series, oldest first. */
export function seriesTrends(
  { points, ...series }: Series,
  options: ChangePointOptions = {},
): TrendFlag[] {
  return changePoints(
    points.map((p) => p.value),
    options,
  ).map((change) => {
    const rose = change.medianAfter > change.medianBefore;
    const better = HIGHER_IS_BETTER.has(series.metric) ? rose : !rose;
    return {
      series,
      kind: better ? 'improvement' : 'regression',
      change,
      before: points[change.index - 1]!,
      after: points[change.index]!,
    };
  });
}

/** Every change point of every series, the latest first. */
export function detectTrends(
  results: readonly StoredResult[],
  options: ChangePointOptions = {},
): TrendFlag[] {
  return metricSeries(results)
    .flatMap((series) => seriesTrends(series, options))
    .sort((a, b) => b.after.at - a.after.at);
}

/**
 * The changes its latest point brings to light: those found in the whole series and not in it
 * without that point. A change found both ways may move by a few points as one is added; within
 * `minSegment` points it is the same change.
 */
export function trendsNewWithLatest(series: Series, options: ChangePointOptions = {}): TrendFlag[] {
  const minSegment = options.minSegment ?? DEFAULT_MIN_SEGMENT;
  const earlier = seriesTrends({ ...series, points: series.points.slice(0, -1) }, options);
  return seriesTrends(series, options).filter(
    (flag) =>
      !earlier.some(
        (seen) =>
          seen.kind === flag.kind && Math.abs(seen.change.index - flag.change.index) <= minSegment,
      ),
  );
}
