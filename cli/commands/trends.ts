import { type Command, InvalidArgumentError } from 'commander';

import { detectTrends, type TrendFlag } from '../../trends/index.js';
import { formatTable } from '../format/table.js';
import { printJson, printLine } from '../output.js';
import { formatInstant, shortCommit, storedResults } from './runs.js';

function sensitivity(text: string): number {
  const p = Number(text);
  if (!(p > 0 && p < 1)) {
    throw new InvalidArgumentError(`'${text}' is not a p-value between 0 and 1 (e.g. 0.005)`);
  }
  return p;
}

const figure = (metric: string, value: number) =>
  metric.endsWith('Ms')
    ? `${value.toFixed(2)} ms`
    : metric === 'maxAbsError'
      ? value.toExponential(2)
      : value.toFixed(2);

export function formatTrendsTable(flags: readonly TrendFlag[]): string {
  const rows = flags.map(({ series, kind, change, before, after }) => [
    formatInstant(after.at),
    series.test,
    [series.browser, series.backend].filter(Boolean).join(' · ') || '-',
    series.metric,
    `${kind === 'regression' ? 'REGRESSION' : 'improvement'} ${change.relativeChange > 0 ? '+' : ''}${(change.relativeChange * 100).toFixed(0)}%`,
    `${figure(series.metric, change.medianBefore)} → ${figure(series.metric, change.medianAfter)}`,
    change.confidence.toFixed(3),
    `${shortCommit(before.commit)}..${shortCommit(after.commit)}`,
    after.runId,
  ]);
  return formatTable([
    [
      'AT (UTC)',
      'TEST',
      'WHERE',
      'METRIC',
      'CHANGE',
      'MEDIAN',
      'CONFIDENCE',
      'COMMITS',
      'FIRST RUN',
    ],
    ...rows,
  ]);
}

export function registerTrendsCommand(program: Command): void {
  program
    .command('trends')
    .description(
      "regressions and improvements across runs: change points in each test's metrics (latency, throughput, error, memory)",
    )
    .option('--test <name>', 'only this test')
    .option('--suite <name>', 'only runs of this suite')
    .option('--browser <name>', 'only results from this browser (node for Node workers)')
    .option('--backend <name>', 'only results on this backend')
    .option('--since <date>', 'only runs started since (ISO 8601: 2026-12-01)')
    .option('--sensitivity <p>', 'the largest p-value reported as a change', sensitivity, 0.005)
    .option('--json', 'print the changes as JSON')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { json, sensitivity: alpha, ...filters } = options;
      const results = await storedResults(command, filters, 'trends filter');
      const flags = detectTrends(results, { alpha: alpha as number });
      if (json === true) printJson(flags);
      else printLine(flags.length === 0 ? 'no changes found' : formatTrendsTable(flags));
    });
}
