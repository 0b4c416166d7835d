export {
  type ChangePoint,
  type ChangePointOptions,
  changePoints,
  DEFAULT_MIN_SEGMENT,
} from './change-points.js';
export {
  compareRuns,
  type LatencyChange,
  type RunComparison,
  resultKey,
} from './compare-runs.js';
export { type FlakyTest, flakyTests } from './flaky.js';
export {
  detectTrends,
  metricSeries,
  type Series,
  type SeriesPoint,
  seriesTrends,
  TREND_METRICS,
  type TrendFlag,
  trendsNewWithLatest,
} from './series.js';
