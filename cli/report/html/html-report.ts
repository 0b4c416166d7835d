import type { ResultInput, RunView, StoredResult } from '../../../protocol/index.js';
import { compareRuns, type LatencyChange, resultKey } from '../../../trends/index.js';
import { formatDuration } from '../../format/duration.js';
import { escapeXml as h } from '../../format/markup.js';
import { matrixGrid } from '../matrix-table.js';
import type { SuiteReport, TaskReport } from '../suite-report.js';
import { verdict } from '../suite-table.js';
import { latencyChart } from './latency-chart.js';
import { REPORT_CSS } from './report-css.js';
import { runTrends, trendsSection } from './report-trends.js';

/** What the HTML report shows besides the suite report itself. */
export interface HtmlReportInput {
  report: SuiteReport;
  /** This run's results as the results store keeps them. */
  results: readonly ResultInput[];
  /** The run's id and metadata, when the results store keeps it. */
  run?: Pick<RunView, 'id' | 'suite' | 'startedAt' | 'meta'> | undefined;
  /** The suite's run before this one, from the results store. */
  previous?: { run: RunView; results: readonly ResultInput[] } | undefined;
  /** The suite's stored results, for the trends; undefined when the store keeps no runs. */
  history?: readonly StoredResult[] | undefined;
}

const where = (r: ResultInput) =>
  [r.browser, r.backend].filter((part) => part !== undefined).join(' · ');

function resultRows(results: readonly ResultInput[], note: (r: ResultInput) => string): string {
  return results
    .map(
      (r) =>
        `<tr><td>${h(r.test)}</td><td>${h(where(r))}</td><td class="${r.status}">${r.status}</td><td>${h(note(r))}</td></tr>`,
    )
    .join('');
}

function changeRows(changes: readonly LatencyChange[]): string {
  return changes
    .map(({ now, before, ratio }) => {
      const pct = `${ratio > 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
      const ms = `${before.metrics!.medianMs!.toFixed(2)} → ${now.metrics!.medianMs!.toFixed(2)} ms`;
      return `<tr><td>${h(now.test)}</td><td>${h(where(now))}</td><td>${pct}</td><td>${ms}</td></tr>`;
    })
    .join('');
}

function comparisonSection(input: HtmlReportInput): string {
  const { previous } = input;
  if (previous === undefined) {
    return '<section id="comparison"><h2>Compared with the previous run</h2><p class="note">No earlier run of this suite in the results store (runs are kept with <code>--coordinator</code> or <code>--data-dir</code>).</p></section>';
  }
  const c = compareRuns(previous.results, input.results);
  const when = new Date(previous.run.startedAt).toISOString().replace('T', ' ').slice(0, 16);
  const commit =
    previous.run.meta.commit === undefined
      ? ''
      : `, commit ${previous.run.meta.commit.slice(0, 10)}`;
  const table = (title: string, id: string, head: string, body: string, count: number) =>
    count === 0
      ? ''
      : `<h3 id="${id}">${title} (${count})</h3><table><thead>${head}</thead><tbody>${body}</tbody></table>`;
  const statusHead = '<tr><th>Test</th><th>Where</th><th>Now</th><th>Error</th></tr>';
  const changeHead = '<tr><th>Test</th><th>Where</th><th>Change</th><th>Median</th></tr>';
  const firstLine = (r: ResultInput) => r.error?.split('\n', 1)[0] ?? '';
  const parts = [
    table(
      'New failures',
      'new-failures',
      statusHead,
      resultRows(c.newFailures, firstLine),
      c.newFailures.length,
    ),
    table(
      'Fixed',
      'fixed',
      statusHead,
      resultRows(c.fixed, () => ''),
      c.fixed.length,
    ),
    table('Slower', 'slower', changeHead, changeRows(c.slower), c.slower.length),
    table('Faster', 'faster', changeHead, changeRows(c.faster), c.faster.length),
  ].filter((part) => part !== '');
  const summary = `${c.newFailures.length} new failure(s), ${c.fixed.length} fixed, ${c.slower.length} slower, ${c.faster.length} faster, ${c.added.length} new test(s), ${c.removed.length} gone`;
  return `<section id="comparison"><h2>Compared with the previous run</h2><p>Run <code>${h(previous.run.id)}</code> of ${when} UTC${h(commit)}: <strong>${summary}</strong>.</p>${parts.join('')}</section>`;
}

function matrixSection(report: SuiteReport): string {
  const grid = matrixGrid(report.matrix ?? [], report.sharded ?? []);
  if (grid.rows.length === 0) return '';
  const cellClass = (text: string) =>
    text.startsWith('pass')
      ? 'passed'
      : text.startsWith('unsupported')
        ? 'skipped'
        : text === '-'
          ? ''
          : 'failed';
  const rows = grid.rows
    .map(
      (row) =>
        `<tr>${row.map((text, i) => (i < 2 ? `<th>${h(text)}</th>` : `<td class="${cellClass(text)}">${h(text)}</td>`)).join('')}</tr>`,
    )
    .join('');
  const notes = grid.footnotes.map((note) => `<li><pre>${h(note)}</pre></li>`).join('');
  return `<section id="matrix"><h2>Matrix</h2><table class="matrix"><thead><tr>${grid.header.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>${notes === '' ? '' : `<ol class="notes">${notes}</ol>`}</section>`;
}

/** A task's logs: the output tails its worker kept. */
function logs(task: TaskReport): string {
  const output = task.result?.output as { stdout?: unknown; stderr?: unknown } | undefined;
  const parts = (['stdout', 'stderr'] as const).flatMap((stream) => {
    const text = output?.[stream];
    return typeof text === 'string' && text.trim() !== ''
      ? [`<h4>${stream}</h4><pre>${h(text)}</pre>`]
      : [];
  });
  return parts.length === 0
    ? ''
    : `<details class="logs"><summary>logs</summary>${parts.join('')}</details>`;
}

function testsSection(report: SuiteReport): string {
  const tasks = report.tasks
    .map((task) => {
      const cases = task.cases
        .map((c) => {
          const error =
            c.message === undefined
              ? ''
              : `<details${c.status === 'failed' || c.status === 'error' ? ' open' : ''}><summary>${h(c.message.split('\n', 1)[0] ?? '')}</summary><pre>${h(c.message)}</pre></details>`;
          return `<li class="case ${c.status}"><span class="status ${c.status}">${c.status}</span> ${h(c.name)} <span class="time">${formatDuration(c.durationMs)}</span>${error}</li>`;
        })
        .join('');
      const failed = task.cases.some((c) => c.status === 'failed' || c.status === 'error');
      return `<li class="task ${failed ? 'failed' : 'passed'}"><h3>${h(task.name)} <small>${h(task.kind)} · ${task.state} · attempt ${task.attempt} · ${formatDuration(task.durationMs)}${task.workerId === undefined ? '' : ` · ${h(task.workerId)}`}</small></h3><ul>${cases}</ul>${logs(task)}</li>`;
    })
    .join('');
  return `<section id="tests"><h2>Tests</h2><input type="checkbox" id="failures-only"><label for="failures-only">failures only</label><ul class="tasks">${tasks}</ul></section>`;
}

/**
 * The run as one self-contained HTML file: styles inline, charts as SVG, no script and nothing
 * fetched, so it opens from disk, offline, in any browser. It shows the verdict, the comparison
 * with the suite's previous run, the matrix, the latency of each cell with the trends marked, the
 * changes across the suite's stored runs, and every test with its error and logs.
 */
export function toHtml(input: HtmlReportInput): string {
  const { report } = input;
  const meta = Object.entries(input.run?.meta ?? {})
    .map(([k, v]) => `<span><b>${h(k)}</b> ${h(v)}</span>`)
    .join(' ');
  const before = new Map((input.previous?.results ?? []).map((r) => [resultKey(r), r]));
  const trends = runTrends(input.history ?? [], input.results, input.run);
  const chart = latencyChart(input.results, before, trends);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(report.suite)}: ${report.passed ? 'PASS' : 'FAIL'}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header><h1><span class="verdict ${report.passed ? 'passed' : 'failed'}">${report.passed ? 'PASS' : 'FAIL'}</span> ${h(report.suite)}</h1>
<p>${h(verdict(report))}</p>
<p class="meta"><span><b>started</b> ${h(report.startedAt.replace('T', ' ').slice(0, 19))} UTC</span>${input.run === undefined ? '' : ` <span><b>run</b> ${h(input.run.id)}</span>`} ${meta}</p></header>
<main>
${comparisonSection(input)}
${matrixSection(report)}
${chart === '' ? '' : `<section id="latency"><h2>Latency</h2><p class="note">Median of each test's runs; the whisker reaches the p90${before.size > 0 ? ', the mark is the previous run' : ''}.</p>${chart}</section>`}
${trendsSection(trends, input.history !== undefined)}
${testsSection(report)}
</main>
</body></html>
`;
}
