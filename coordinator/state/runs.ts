import {
  MAX_RESULTS_PER_RUN,
  type ResultInput,
  type RunCounts,
  type RunMeta,
  type RunOpenRequest,
  type RunStatus,
  type RunView,
  type StoredResult,
} from '../../protocol/index.js';
import type { Command } from './commands.js';
import type { StateEvent } from './events.js';
import type { CoordinatorState } from './types.js';

/** A run of a suite and the results it reported, as the state keeps them. */
export interface RunRecord {
  id: string;
  suite: string;
  meta: RunMeta;
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  counts: RunCounts;
  results: ResultInput[];
}

const DAY_MS = 86_400_000;

export function zeroRunCounts(): RunCounts {
  return { results: 0, passed: 0, failed: 0, skipped: 0, errors: 0 };
}

/** Counts a result into its run's totals; `todo` counts as skipped. */
export function countResult(counts: RunCounts, result: ResultInput): void {
  counts.results++;
  if (result.status === 'passed') counts.passed++;
  else if (result.status === 'failed') counts.failed++;
  else if (result.status === 'error') counts.errors++;
  else counts.skipped++;
}

/** A result with the run it belongs to, as queries answer it. */
export function storedResult(run: RunRecord, result: ResultInput): StoredResult {
  const stored: StoredResult = { ...result, runId: run.id, suite: run.suite, at: run.startedAt };
  const commit = run.meta.commit;
  if (commit !== undefined) stored.commit = commit;
  return stored;
}

export function runView(run: RunRecord): RunView {
  const view: RunView = {
    id: run.id,
    suite: run.suite,
    meta: run.meta,
    status: run.status,
    startedAt: run.startedAt,
    counts: { ...run.counts },
  };
  if (run.endedAt !== undefined) view.endedAt = run.endedAt;
  return view;
}

/** Opening a run that exists already changes nothing: a client retrying its open. */
export function openRun(state: CoordinatorState, now: number, run: RunOpenRequest): StateEvent[] {
  if (state.runs.has(run.id)) return [];
  const record: RunRecord = {
    id: run.id,
    suite: run.suite,
    meta: run.meta,
    status: 'running',
    startedAt: now,
    counts: zeroRunCounts(),
    results: [],
  };
  state.runs.set(run.id, record);
  return [{ type: 'RunOpened', run: record }];
}

/** Why results cannot be recorded in this run now, if they cannot. */
export function refusesResults(
  run: RunRecord | undefined,
  runId: string,
  adding: number,
): string | undefined {
  if (run === undefined) return `no run '${runId}'`;
  if (run.status !== 'running') return `run '${runId}' has ended (${run.status})`;
  if (run.results.length + adding > MAX_RESULTS_PER_RUN) {
    return `run '${runId}' would hold more than ${MAX_RESULTS_PER_RUN} results`;
  }
  return undefined;
}

export function recordRunResults(
  state: CoordinatorState,
  command: Extract<Command, { type: 'RecordRunResults' }>,
): StateEvent[] {
  const run = state.runs.get(command.runId);
  const refused = refusesResults(run, command.runId, command.results.length);
  if (refused !== undefined || run === undefined) {
    return [{ type: 'RunResultsRefused', runId: command.runId, reason: refused ?? '' }];
  }
  const from = run.results.length;
  for (const result of command.results) {
    run.results.push(result);
    countResult(run.counts, result);
  }
  if (command.end !== undefined) {
    run.status = command.end.status;
    run.endedAt = command.now;
  }
  return [{ type: 'RunResultsRecorded', run, from, ended: command.end !== undefined }];
}

/**
 * Of each suite, keeps the `keepRuns` newest runs that started within `keepDays` of `now`. A
 * run still open counts among them, but is never pruned for its number alone.
 */
export function pruneRuns(
  state: CoordinatorState,
  command: Extract<Command, { type: 'PruneRuns' }>,
): StateEvent[] {
  const oldest = command.now - command.keepDays * DAY_MS;
  const keptBySuite = new Map<string, number>();
  const pruned: string[] = [];
  // Newest first: the map holds runs in the order they were opened.
  for (const run of [...state.runs.values()].reverse()) {
    const kept = keptBySuite.get(run.suite) ?? 0;
    const tooMany = kept >= command.keepRuns && run.status !== 'running';
    if (run.startedAt < oldest || tooMany) {
      pruned.push(run.id);
      continue;
    }
    keptBySuite.set(run.suite, kept + 1);
  }
  if (pruned.length === 0) return [];
  for (const id of pruned) state.runs.delete(id);
  return [{ type: 'RunsPruned', runIds: pruned }];
}
