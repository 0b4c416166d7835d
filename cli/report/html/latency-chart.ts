import type { ResultInput } from '../../../protocol/index.js';
import { resultKey, type TrendFlag } from '../../../trends/index.js';
import { escapeXml } from '../../format/markup.js';
import { changeText } from './report-trends.js';

const WIDTH = 760;
const LABEL = 300;
const ROW = 22;
const BAR = 12;

const label = (r: ResultInput) => [r.test, r.browser, r.backend].filter(Boolean).join(' · ');

/**
 * Median latency per result that measured one, as an inline SVG bar chart: the bar is the
 * median, the whisker reaches the p90, a mark shows the earlier run's median where there is
 * one, and the latest change in the median across the stored runs is written after the value. Plain SVG, so the report needs no script and opens anywhere, offline.
 */
export function latencyChart(
  results: readonly ResultInput[],
  before: ReadonlyMap<string, ResultInput>,
  trends: readonly TrendFlag[] = [],
): string {
  const medianTrend = new Map(
    trends.filter((f) => f.series.metric === 'medianMs').map((f) => [resultKey(f.series), f]),
  );
  const timed = results.filter((r) => r.metrics?.medianMs !== undefined);
  if (timed.length === 0) return '';
  const earlier = (r: ResultInput) => before.get(resultKey(r))?.metrics?.medianMs;
  const top = Math.max(
    ...timed.flatMap((r) => [r.metrics!.medianMs!, r.metrics!.p90Ms ?? 0, earlier(r) ?? 0]),
  );
  const scale = (ms: number) => (top <= 0 ? 0 : (ms / top) * (WIDTH - LABEL - 90));
  const height = timed.length * ROW + 24;
  const rows = timed.map((r, i) => {
    const y = 8 + i * ROW;
    const median = r.metrics!.medianMs!;
    const p90 = r.metrics!.p90Ms;
    const was = earlier(r);
    const parts = [
      `<text x="${LABEL - 8}" y="${y + BAR - 2}" text-anchor="end">${escapeXml(label(r))}</text>`,
      `<rect class="bar ${r.status}" x="${LABEL}" y="${y}" width="${Math.max(1, scale(median)).toFixed(1)}" height="${BAR}"><title>${escapeXml(`${label(r)}: median ${median.toFixed(3)} ms${p90 === undefined ? '' : `, p90 ${p90.toFixed(3)} ms`}`)}</title></rect>`,
    ];
    if (p90 !== undefined && p90 > median) {
      const x1 = LABEL + scale(median);
      const x2 = LABEL + scale(p90);
      parts.push(
        `<line class="p90" x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${y + BAR / 2}" y2="${y + BAR / 2}"/>`,
      );
    }
    if (was !== undefined) {
      const x = (LABEL + scale(was)).toFixed(1);
      parts.push(
        `<line class="before" x1="${x}" x2="${x}" y1="${y - 3}" y2="${y + BAR + 3}"><title>earlier run: ${was.toFixed(3)} ms</title></line>`,
      );
    }
    const end = LABEL + scale(Math.max(median, p90 ?? 0)) + 6;
    const trend = medianTrend.get(resultKey(r));
    const mark =
      trend === undefined
        ? ''
        : `<tspan class="trend ${trend.kind}"> ${trend.kind === 'regression' ? '▲' : '▼'} ${escapeXml(changeText(trend))}</tspan>`;
    parts.push(
      `<text x="${end.toFixed(1)}" y="${y + BAR - 2}">${median.toFixed(2)} ms${mark}</text>`,
    );
    return `<g>${parts.join('')}</g>`;
  });
  return `<svg class="chart" role="img" aria-label="median latency per test" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">${rows.join('')}</svg>`;
}
