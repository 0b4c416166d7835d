import type {
  ResultInput,
  ResultsQuery,
  RunsQuery,
  RunView,
  StoredResult,
} from '../protocol/index.js';
import { type CoordinatorState, type RunRecord, runView, storedResult } from './state/index.js';

/** Runs, the newest first. */
function* newestRuns(state: CoordinatorState): Generator<RunRecord> {
  const runs = [...state.runs.values()];
  for (let i = runs.length - 1; i >= 0; i--) yield runs[i]!;
}

export function listRuns(state: CoordinatorState, query: RunsQuery): RunView[] {
  const views: RunView[] = [];
  for (const run of newestRuns(state)) {
    if (query.since !== undefined && run.startedAt < query.since) continue;
    if (query.suite !== undefined && run.suite !== query.suite) continue;
    views.push(runView(run));
    if (views.length >= query.limit) break;
  }
  return views;
}

function matches(result: ResultInput, query: ResultsQuery): boolean {
  return (
    (query.test === undefined || result.test === query.test) &&
    (query.browser === undefined || result.browser === query.browser) &&
    (query.backend === undefined || result.backend === query.backend) &&
    (query.status === undefined || result.status === query.status)
  );
}

/** Stored results across runs, the newest runs first and in the order each run reported them. */
export function queryResults(state: CoordinatorState, query: ResultsQuery): StoredResult[] {
  const found: StoredResult[] = [];
  for (const run of newestRuns(state)) {
    if (query.run !== undefined && run.id !== query.run) continue;
    if (query.since !== undefined && run.startedAt < query.since) continue;
    if (query.suite !== undefined && run.suite !== query.suite) continue;
    if (query.commit !== undefined && !commitMatches(run.meta.commit, query.commit)) continue;
    for (const result of run.results) {
      if (!matches(result, query)) continue;
      found.push(storedResult(run, result));
      if (found.length >= query.limit) return found;
    }
  }
  return found;
}

/** A commit filter matches the full hash or a prefix of it of at least 7 characters. */
function commitMatches(commit: string | undefined, wanted: string): boolean {
  if (commit === undefined) return false;
  return commit === wanted || (wanted.length >= 7 && commit.startsWith(wanted));
}
