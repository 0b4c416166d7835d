import type { ResultInput, RunView, StoredResult } from '../../../protocol/index.js';
import { detectTrends, resultKey, type TrendFlag } from '../../../trends/index.js';
import { escapeXml as h } from '../../format/markup.js';

/**
 * The changes `dtf trends` finds in the series of this run's tests, drawn from the suite's
 * stored runs and this one: the latest change of each series, the newest first.
 */
export function runTrends(
  history: readonly StoredResult[],
  results: readonly ResultInput[],
  run: Pick<RunView, 'id' | 'suite' | 'startedAt' | 'meta'> | undefined,
): TrendFlag[] {
  if (run === undefined || history.length === 0) return [];
  const mine = new Set(results.map(resultKey));
  const current = results.map(
    (r): StoredResult => ({
      ...r,
      runId: run.id,
      suite: run.suite,
      at: run.startedAt,
      ...(run.meta.commit === undefined ? {} : { commit: run.meta.commit }),
    }),
  );
  const latest = new Map<string, TrendFlag>();
  for (const flag of detectTrends([...history.filter((r) => r.runId !== run.id), ...current])) {
    if (!mine.has(resultKey(flag.series))) continue;
    const key = `${resultKey(flag.series)}\u0000${flag.series.metric}`;
    // detectTrends answers the latest first.
    if (!latest.has(key)) latest.set(key, flag);
  }
  return [...latest.values()];
}

/** `+60.0% at c0ffee0a`: the size of a change and where it happened. */
export function changeText(flag: TrendFlag): string {
  const { relativeChange } = flag.change;
  const size = `${relativeChange >= 0 ? '+' : ''}${(relativeChange * 100).toFixed(1)}%`;
  return `${size} at ${flag.after.commit?.slice(0, 10) ?? flag.after.runId}`;
}

/** The trends section: every change found, with its confidence and commit range. */
export function trendsSection(flags: readonly TrendFlag[], stored: boolean): string {
  if (!stored) return '';
  if (flags.length === 0) {
    return '<section id="trends"><h2>Trends</h2><p class="note">No change found in this suite\'s stored runs (a series needs 8 runs, 4 on each side of a change).</p></section>';
  }
  const rows = flags
    .map((f) => {
      const where = [f.series.browser, f.series.backend].filter(Boolean).join(' · ');
      const range = `${f.before.commit?.slice(0, 10) ?? f.before.runId} → ${f.after.commit?.slice(0, 10) ?? f.after.runId}`;
      return `<tr class="${f.kind}"><td>${h(f.series.test)}</td><td>${h(where)}</td><td>${h(f.series.metric)}</td><td class="trend ${f.kind}">${f.kind}</td><td>${h(changeText(f).split(' at ')[0] ?? '')}</td><td>${f.change.medianBefore.toPrecision(4)} → ${f.change.medianAfter.toPrecision(4)}</td><td>${(f.change.confidence * 100).toFixed(1)}%</td><td>${h(range)}</td></tr>`;
    })
    .join('');
  return `<section id="trends"><h2>Trends</h2><p class="note">Changes in each test's metrics across this suite's stored runs (the method of <code>dtf trends</code>), the latest of each series; the latency chart marks them.</p><table><thead><tr><th>Test</th><th>Where</th><th>Metric</th><th>Change</th><th>Size</th><th>Median</th><th>Confidence</th><th>Commits</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
