import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../../../protocol/index.js';
import { flakyTests } from '../../../trends/index.js';

const result = (
  i: number,
  test: string,
  status: StoredResult['status'],
  commit: string | undefined,
  browser = 'node',
): StoredResult => ({
  runId: `r${i}`,
  suite: 's',
  at: i,
  ...(commit === undefined ? {} : { commit }),
  test,
  kind: 'vitest',
  browser,
  status,
  durationMs: 1,
  ...(status === 'failed' ? { error: `boom ${i}` } : {}),
});

describe('flaky tests', () => {
  it('are those that passed and failed on one commit where they ran, with their flip rate', () => {
    const results = [
      // Fails one run in two on the same commit: flaky, every run a flip.
      ...[0, 1, 2, 3, 4].map((i) => result(i, 'coin', i % 2 === 0 ? 'passed' : 'failed', 'c1')),
      // Broke at c2 and stayed broken: a regression, not flakiness.
      ...[0, 1, 2, 3].map((i) =>
        result(i, 'broke', i < 2 ? 'passed' : 'failed', i < 2 ? 'c1' : 'c2'),
      ),
      // Failed once on c1 in firefox only: flaky there, not on node.
      result(0, 'wobbly', 'passed', 'c1', 'firefox'),
      result(1, 'wobbly', 'failed', 'c1', 'firefox'),
      result(2, 'wobbly', 'passed', 'c1', 'firefox'),
      result(3, 'wobbly', 'passed', 'c1', 'firefox'),
      result(0, 'wobbly', 'passed', 'c1'),
      result(1, 'wobbly', 'passed', 'c1'),
      // Without a commit there is no telling.
      result(0, 'unknown', 'passed', undefined),
      result(1, 'unknown', 'failed', undefined),
      result(2, 'skips', 'skipped', 'c1'),
      result(3, 'skips', 'passed', 'c1'),
    ].reverse();
    expect(flakyTests(results)).toEqual([
      {
        test: 'coin',
        browser: 'node',
        backend: undefined,
        commits: ['c1'],
        flipRate: 1,
        runs: 5,
        failures: 2,
        lastFailure: { runId: 'r3', at: 3, error: 'boom 3' },
      },
      {
        test: 'wobbly',
        browser: 'firefox',
        backend: undefined,
        commits: ['c1'],
        flipRate: 2 / 3,
        runs: 4,
        failures: 1,
        lastFailure: { runId: 'r1', at: 1, error: 'boom 1' },
      },
    ]);
  });
});
