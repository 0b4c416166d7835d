import { describe, expect, it } from 'vitest';
import type { ResultInput } from '../../../protocol/index.js';
import { compareRuns } from '../../../trends/index.js';

const r = (
  test: string,
  status: ResultInput['status'],
  medianMs?: number,
  browser = 'chromium',
): ResultInput => ({
  test,
  kind: 'model',
  browser,
  backend: 'wasm',
  status,
  durationMs: 1,
  ...(medianMs === undefined ? {} : { metrics: { medianMs } }),
});

describe('comparing a run with the one before', () => {
  it('finds new failures, fixes, real latency changes, and tests that came or went', () => {
    const before = [
      r('a', 'passed'),
      r('b', 'failed'),
      r('c', 'passed', 10),
      r('d', 'passed', 10),
      r('e', 'passed', 10),
      r('gone', 'passed'),
      r('f', 'passed', 1),
    ];
    const now = [
      r('a', 'error'),
      r('b', 'passed'),
      r('c', 'passed', 15), // +50%: slower
      r('d', 'passed', 11), // +10%: noise
      r('e', 'passed', 5), // -50%: faster
      r('f', 'passed', 1.4), // +40%, but 0.4 ms: under the floor
      r('a', 'passed', undefined, 'firefox'), // another place: a new test
    ];
    const c = compareRuns(before, now);
    expect(c.newFailures.map((x) => x.test)).toEqual(['a']);
    expect(c.fixed.map((x) => x.test)).toEqual(['b']);
    expect(c.slower.map((x) => [x.now.test, x.ratio])).toEqual([['c', 1.5]]);
    expect(c.faster.map((x) => [x.now.test, x.ratio])).toEqual([['e', 0.5]]);
    expect(c.added.map((x) => `${x.test} ${x.browser}`)).toEqual(['a firefox']);
    expect(c.removed.map((x) => x.test)).toEqual(['gone']);
  });
});
