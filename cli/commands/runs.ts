import type { Command } from 'commander';
import type { ZodType } from 'zod';
import {
  parseWith,
  RestResultsReply,
  RestRunsReply,
  ResultsQuery,
  RunsQuery,
  type RunView,
  type StoredResult,
} from '../../protocol/index.js';
import { coordinatorAccess, restGetChecked } from '../connection.js';
import { formatDuration } from '../format/duration.js';
import { formatTable } from '../format/table.js';
import { printJson, printLine } from '../output.js';
import { UsageError } from '../usage-error.js';

/** `2026-12-05 08:30` in UTC: runs are compared across machines and time zones. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export const shortCommit = (commit: string | undefined) => commit?.slice(0, 10) ?? '-';

export function formatRunsTable(runs: readonly RunView[]): string {
  const rows = runs.map((run) => [
    run.id,
    run.suite,
    run.status,
    formatInstant(run.startedAt),
    run.endedAt === undefined ? '-' : formatDuration(run.endedAt - run.startedAt),
    `${run.counts.passed}/${run.counts.results}`,
    String(run.counts.failed + run.counts.errors),
    shortCommit(run.meta.commit),
    run.meta.branch ?? '-',
  ]);
  return formatTable([
    ['RUN', 'SUITE', 'STATUS', 'STARTED (UTC)', 'TOOK', 'PASSED', 'FAILED', 'COMMIT', 'BRANCH'],
    ...rows,
  ]);
}

const firstLine = (text: string | undefined, max: number) => {
  const line = text?.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export function formatResultsTable(results: readonly StoredResult[]): string {
  const rows = results.map((r) => [
    r.runId,
    formatInstant(r.at),
    r.test,
    r.browser ?? '-',
    r.backend ?? '-',
    r.status,
    formatDuration(r.durationMs),
    r.metrics?.medianMs === undefined ? '-' : `${r.metrics.medianMs.toFixed(2)} ms`,
    firstLine(r.error, 60),
  ]);
  return formatTable([
    ['RUN', 'AT (UTC)', 'TEST', 'BROWSER', 'BACKEND', 'STATUS', 'TOOK', 'MEDIAN', 'ERROR'],
    ...rows,
  ]);
}

/** A query string of the options given, checked here with the coordinator's own schema. */
export function queryString(
  schema: ZodType,
  options: Record<string, unknown>,
  what: string,
): string {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'string') given[key] = value;
  }
  const parsed = parseWith(schema, given, what);
  if (!parsed.ok) throw new UsageError(parsed.error.message);
  const text = new URLSearchParams(given).toString();
  return text === '' ? '' : `?${text}`;
}

/** Asks the store for what the filters select, checking its reply; prints it as JSON or a table. */
async function printFromStore<R, T>(
  command: Command,
  options: Record<string, unknown>,
  ask: { path: string; query: ZodType; reply: ZodType<R>; items: (reply: R) => T[] },
  show: { none: string; table: (items: readonly T[]) => string },
): Promise<void> {
  const { json, ...filters } = options;
  const query = queryString(ask.query, filters, `${ask.path.slice(5)} filter`);
  const reply = await restGetChecked(coordinatorAccess(command), `${ask.path}${query}`, ask.reply);
  const items = ask.items(reply);
  if (json === true) printJson(items);
  else printLine(items.length === 0 ? show.none : show.table(items));
}

/**
 * Up to 10,000 stored results the filters select (as `dtf results` takes them), the newest
 * runs first: what `dtf trends` and `dtf flaky list` work on.
 */
export async function storedResults(
  command: Command,
  filters: Record<string, unknown>,
  what: string,
): Promise<StoredResult[]> {
  const query = queryString(ResultsQuery, { ...filters, limit: '10000' }, what);
  const access = coordinatorAccess(command);
  return (await restGetChecked(access, `/api/results${query}`, RestResultsReply)).results;
}

export function registerRunsCommands(program: Command): void {
  program
    .command('runs')
    .description('list the runs the results store keeps, the newest first')
    .option('--suite <name>', 'only runs of this suite')
    .option('--since <date>', 'only runs started since (ISO 8601: 2026-12-01, 2026-12-01T08:00Z)')
    .option('--limit <n>', 'most runs to list (default 50)')
    .option('--json', 'print the runs as JSON')
    .action((options: Record<string, unknown>, command: Command) =>
      printFromStore(
        command,
        options,
        { path: '/api/runs', query: RunsQuery, reply: RestRunsReply, items: (r) => r.runs },
        { none: 'no runs', table: formatRunsTable },
      ),
    );

  program
    .command('results')
    .description('list test-level results across runs, the newest runs first')
    .option('--run <id>', 'only the results of this run')
    .option(
      '--test <name>',
      "only this test, named as in the TEST column ('model mlp', 'a.test.js > adds')",
    )
    .option('--suite <name>', 'only runs of this suite')
    .option('--browser <name>', 'only results from this browser (node for Node workers)')
    .option('--backend <name>', 'only results on this backend (cpu, wasm, webgpu, webnn)')
    .option('--status <status>', 'only results with this status (passed, failed, skipped, error)')
    .option('--commit <sha>', 'only runs of this commit (or a prefix of 7 characters or more)')
    .option('--since <date>', 'only runs started since (ISO 8601: 2026-12-01, 2026-12-01T08:00Z)')
    .option('--limit <n>', 'most results to list (default 200)')
    .option('--json', 'print the results as JSON')
    .action((options: Record<string, unknown>, command: Command) =>
      printFromStore(
        command,
        options,
        {
          path: '/api/results',
          query: ResultsQuery,
          reply: RestResultsReply,
          items: (r) => r.results,
        },
        { none: 'no results', table: formatResultsTable },
      ),
    );
}
