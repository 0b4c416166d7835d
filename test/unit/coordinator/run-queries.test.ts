import { describe, expect, it } from 'vitest';
import { listRuns, queryResults } from '../../../coordinator/run-queries.js';
import { apply } from '../../../coordinator/state/index.js';
import { ResultsQuery, RunsQuery } from '../../../protocol/index.js';
import { newState } from '../../support/fixtures.js';

/** Three runs of two suites: r1 and r3 of `unit` (commits aaaaaaa1, bbbbbbb2), r2 of `matrix`. */
function store() {
  const state = newState();
  const runs = [
    { id: 'r1', suite: 'unit', commit: 'aaaaaaa1', at: Date.parse('2026-12-01T10:00:00Z') },
    { id: 'r2', suite: 'matrix', commit: 'aaaaaaa1', at: Date.parse('2026-12-02T10:00:00Z') },
    { id: 'r3', suite: 'unit', commit: 'bbbbbbb2', at: Date.parse('2026-12-03T10:00:00Z') },
  ];
  for (const { id, suite, commit, at } of runs) {
    apply(state, { type: 'OpenRun', now: at, run: { id, suite, meta: { commit } } });
    apply(state, {
      type: 'RecordRunResults',
      now: at + 1,
      runId: id,
      results:
        suite === 'unit'
          ? [
              { test: 'a', kind: 'vitest', status: 'passed', durationMs: 1 },
              {
                test: 'b',
                kind: 'vitest',
                status: id === 'r3' ? 'failed' : 'passed',
                durationMs: 2,
              },
            ]
          : [
              {
                test: 'model mlp',
                kind: 'model',
                browser: 'chromium',
                backend: 'webgpu',
                status: 'passed',
                durationMs: 3,
              },
              {
                test: 'model mlp',
                kind: 'model',
                browser: 'firefox',
                backend: 'wasm',
                status: 'passed',
                durationMs: 4,
              },
            ],
      end: { status: 'passed' },
    });
  }
  return state;
}

const results = (query: Record<string, string>) =>
  queryResults(store(), ResultsQuery.parse(query)).map(
    (r) => `${r.runId}:${r.test}:${r.browser ?? '-'}`,
  );

describe('results store queries', () => {
  it('lists runs newest first, by suite, since a date, up to the limit', () => {
    const state = store();
    expect(listRuns(state, RunsQuery.parse({})).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect(listRuns(state, RunsQuery.parse({ suite: 'unit' })).map((r) => r.id)).toEqual([
      'r3',
      'r1',
    ]);
    expect(listRuns(state, RunsQuery.parse({ since: '2026-12-02' })).map((r) => r.id)).toEqual([
      'r3',
      'r2',
    ]);
    expect(listRuns(state, RunsQuery.parse({ limit: '1' })).map((r) => r.id)).toEqual(['r3']);
  });

  it('finds results by test, browser, backend, status, commit (or its prefix), run and date', () => {
    expect(results({ test: 'b' })).toEqual(['r3:b:-', 'r1:b:-']);
    expect(results({ browser: 'firefox' })).toEqual(['r2:model mlp:firefox']);
    expect(results({ backend: 'webgpu' })).toEqual(['r2:model mlp:chromium']);
    expect(results({ status: 'failed' })).toEqual(['r3:b:-']);
    expect(results({ commit: 'aaaaaaa1', suite: 'unit' })).toEqual(['r1:a:-', 'r1:b:-']);
    expect(results({ commit: 'bbbbbbb' })).toEqual(['r3:a:-', 'r3:b:-']);
    // A prefix shorter than 7 characters is too ambiguous to match anything but itself.
    expect(results({ commit: 'bbb' })).toEqual([]);
    expect(results({ run: 'r2', limit: '1' })).toEqual(['r2:model mlp:chromium']);
    expect(results({ since: '2026-12-02T12:00:00Z' })).toEqual(['r3:a:-', 'r3:b:-']);
    const [first] = queryResults(store(), ResultsQuery.parse({ run: 'r3' }));
    expect(first).toMatchObject({
      suite: 'unit',
      commit: 'bbbbbbb2',
      at: Date.parse('2026-12-03T10:00:00Z'),
    });
  });

  it('refuses filters that are not what they say, naming the problem', () => {
    const bad = (query: Record<string, string>) => {
      const parsed = ResultsQuery.safeParse(query);
      return parsed.success ? 'accepted' : parsed.error.issues[0]!.message;
    };
    expect(bad({ since: 'yesterday' })).toMatch(/ISO 8601 date/);
    expect(bad({ since: '2026-02-30T25:00:00Z' })).toMatch(/ISO 8601 date/);
    expect(bad({ limit: '0' })).toMatch(/>=1/);
    expect(bad({ limit: '100000' })).toMatch(/10000/);
    expect(bad({ status: 'green' })).toMatch(/expected one of/);
    expect(bad({ colour: 'red' })).toMatch(/colour/);
  });
});
