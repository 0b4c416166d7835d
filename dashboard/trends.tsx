import { useEffect, useMemo, useState } from 'preact/hooks';
import type { RestResultsReply } from '../protocol/index.js';
import { metricSeries, type Series, seriesTrends } from '../trends/index.js';
import { Chart } from './chart.js';
import { getJson } from './key.js';

const seriesKey = (s: Series) => [s.test, s.browser ?? '-', s.backend ?? '-', s.metric].join(' · ');

/**
 * A metric of a test where it ran, across the stored runs, with the changes `dtf trends` finds
 * marked on it (red: a regression, green: an improvement). Read again when a run ends.
 */
export function Trends({ apiKey, lastRunEnd }: { apiKey: string; lastRunEnd: number | undefined }) {
  const [series, setSeries] = useState<Series[] | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [chosen, setChosen] = useState<string | undefined>(undefined);

  useEffect(() => {
    getJson<RestResultsReply>(apiKey, '/api/results?status=passed&limit=10000')
      .then((reply) => {
        setSeries(metricSeries(reply.results).filter((s) => s.points.length >= 2));
        setProblem(undefined);
      })
      .catch((error: Error) => setProblem(error.message));
  }, [apiKey, lastRunEnd]);

  const selected = useMemo(() => {
    if (series === undefined || series.length === 0) return undefined;
    // Unless one is chosen: the first series with a regression, else the longest.
    return (
      series.find((s) => seriesKey(s) === chosen) ??
      series.find((s) => seriesTrends(s).some((f) => f.kind === 'regression')) ??
      [...series].sort((a, b) => b.points.length - a.points.length)[0]
    );
  }, [series, chosen]);
  const flags = useMemo(() => (selected === undefined ? [] : seriesTrends(selected)), [selected]);

  if (problem !== undefined) return <p class="empty">Cannot read the results store: {problem}</p>;
  if (series === undefined) return <p class="empty">Reading the results store…</p>;
  if (selected === undefined)
    return (
      <p class="empty">No metric has two runs yet: trends need runs of a suite with model cells.</p>
    );
  return (
    <div data-role="trends">
      <div class="toolbar">
        <select onChange={(event) => setChosen((event.target as HTMLSelectElement).value)}>
          {series.map((s) => (
            // `selected` on the option: a select's own value is set before its options exist.
            <option key={seriesKey(s)} value={seriesKey(s)} selected={s === selected}>
              {seriesKey(s)} ({s.points.length} runs)
            </option>
          ))}
        </select>
        <span>
          {flags.length === 0
            ? 'no change found'
            : flags
                .map(
                  (f) =>
                    `${f.kind} ${f.change.relativeChange >= 0 ? '+' : ''}${(f.change.relativeChange * 100).toFixed(1)}% at ${f.after.commit?.slice(0, 10) ?? f.after.runId}`,
                )
                .join('; ')}
        </span>
      </div>
      <Chart
        x={selected.points.map((p) => p.at / 1000)}
        series={[
          { label: selected.metric, color: '#3b6fd4', values: selected.points.map((p) => p.value) },
        ]}
        marks={flags.map((f) => ({
          x: f.after.at / 1000,
          color: f.kind === 'regression' ? '#d33' : '#2a9d4b',
        }))}
        height={220}
      />
    </div>
  );
}
