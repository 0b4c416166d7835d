import { describe, expect, it } from 'vitest';
import { apply, type CoordinatorState } from '../../../../coordinator/state/index.js';
import { MAX_RESULTS_PER_RUN, type ResultInput } from '../../../../protocol/index.js';
import { newState } from '../../../support/fixtures.js';

const DAY = 86_400_000;

function result(test: string, status: ResultInput['status'] = 'passed'): ResultInput {
  return { test, kind: 'vitest', status, durationMs: 1 };
}

function open(state: CoordinatorState, id: string, suite = 's', now = 1_000) {
  return apply(state, { type: 'OpenRun', now, run: { id, suite, meta: {} } });
}

function record(
  state: CoordinatorState,
  runId: string,
  results: ResultInput[],
  end?: 'passed' | 'failed',
  now = 2_000,
) {
  return apply(state, {
    type: 'RecordRunResults',
    now,
    runId,
    results,
    ...(end === undefined ? {} : { end: { status: end } }),
  });
}

describe('runs in the results store', () => {
  it('open once: opening the same id again changes nothing', () => {
    const state = newState();
    expect(open(state, 'r1')).toMatchObject([{ type: 'RunOpened' }]);
    expect(open(state, 'r1', 'other', 5_000)).toEqual([]);
    expect(state.runs.get('r1')).toMatchObject({ suite: 's', startedAt: 1_000, status: 'running' });
  });

  it('appends results in the order reported, counts them, and ends the run', () => {
    const state = newState();
    open(state, 'r1');
    record(state, 'r1', [result('a'), result('b', 'failed')]);
    const events = record(state, 'r1', [result('c', 'todo'), result('d', 'error')], 'failed');
    expect(events).toMatchObject([{ type: 'RunResultsRecorded', from: 2, ended: true }]);
    const run = state.runs.get('r1')!;
    expect(run.results.map((r) => r.test)).toEqual(['a', 'b', 'c', 'd']);
    expect(run.counts).toEqual({ results: 4, passed: 1, failed: 1, skipped: 1, errors: 1 });
    expect(run).toMatchObject({ status: 'failed', endedAt: 2_000 });
  });

  it('refuses results for a run that is unknown, ended, or would grow past its bound', () => {
    const state = newState();
    expect(record(state, 'nope', [result('a')])).toEqual([
      { type: 'RunResultsRefused', runId: 'nope', reason: "no run 'nope'" },
    ]);
    open(state, 'r1');
    record(state, 'r1', [], 'passed');
    expect(record(state, 'r1', [result('a')])).toMatchObject([
      { type: 'RunResultsRefused', reason: "run 'r1' has ended (passed)" },
    ]);
    open(state, 'r2');
    state.runs.get('r2')!.results.length = MAX_RESULTS_PER_RUN;
    expect(record(state, 'r2', [result('a')])).toMatchObject([{ type: 'RunResultsRefused' }]);
    expect(state.runs.get('r1')!.counts.results).toBe(0);
  });

  it('prunes each suite to its newest runs and every run past the days kept; open runs stay', () => {
    const state = newState();
    for (const [id, suite, at] of [
      ['a1', 'a', 1 * DAY],
      ['b1', 'b', 2 * DAY],
      ['a2', 'a', 3 * DAY],
      ['a3', 'a', 4 * DAY],
      ['b2', 'b', 5 * DAY],
    ] as const) {
      open(state, id, suite, at);
      if (id !== 'a2') record(state, id, [result('t')], 'passed', at + 1);
    }
    const pruned = apply(state, { type: 'PruneRuns', now: 5 * DAY, keepRuns: 1, keepDays: 30 });
    // a2 is still open: it counts as suite a's newest but one, and is not pruned for its number.
    expect(pruned).toEqual([{ type: 'RunsPruned', runIds: ['b1', 'a1'] }]);
    expect([...state.runs.keys()]).toEqual(['a2', 'a3', 'b2']);
    const byAge = apply(state, { type: 'PruneRuns', now: 7 * DAY, keepRuns: 10, keepDays: 2.5 });
    expect(byAge).toEqual([{ type: 'RunsPruned', runIds: ['a3', 'a2'] }]);
    expect(apply(state, { type: 'PruneRuns', now: 7 * DAY, keepRuns: 10, keepDays: 2.5 })).toEqual(
      [],
    );
  });
});

describe('quarantine', () => {
  it('keeps one entry per test and place, from its first quarantine; releasing an unknown one changes nothing', () => {
    const state = newState();
    apply(state, {
      type: 'QuarantineTest',
      now: 5,
      entry: { test: 't', browser: 'firefox', reason: 'a' },
    });
    apply(state, {
      type: 'QuarantineTest',
      now: 9,
      entry: { test: 't', browser: 'firefox', reason: 'b' },
    });
    apply(state, { type: 'QuarantineTest', now: 9, entry: { test: 't' } });
    expect([...state.quarantine.values()]).toEqual([
      { test: 't', browser: 'firefox', reason: 'b', since: 5 },
      { test: 't', since: 9 },
    ]);
    expect(
      apply(state, { type: 'ReleaseTest', now: 10, entry: { test: 't', browser: 'chromium' } }),
    ).toEqual([]);
    expect(apply(state, { type: 'ReleaseTest', now: 10, entry: { test: 't' } })).toMatchObject([
      { type: 'QuarantineChanged', entry: undefined },
    ]);
    expect(state.quarantine.size).toBe(1);
  });
});
