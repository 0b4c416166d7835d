export { type ChangePoint, type ChangePointOptions, changePoints } from './change-points.js';
export { type FlakyTest, flakyTests } from './flaky.js';
export {
  detectTrends,
  metricSeries,
  type Series,
  type SeriesPoint,
  TREND_METRICS,
  type TrendFlag,
} from './series.js';
