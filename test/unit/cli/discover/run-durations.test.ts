import { describe, expect, it } from 'vitest';
import { runDurations } from '../../../../cli/discover/run-history.js';
import type { TaskView } from '../../../../protocol/index.js';

/** A vitest task of `slots` that took `durationMs`, its files and tests measured as given. */
function vitestTask(
  durationMs: number,
  files: Record<string, number>,
  slots = 2,
  tests: Array<[file: string, name: string, ms: number]> = [],
): TaskView {
  return {
    spec: { kind: 'vitest', payload: { dir: '/p' }, requirements: { slots } },
    result: {
      status: 'succeeded',
      durationMs,
      output: {
        kind: 'vitest',
        files: Object.entries(files).map(([file, ms]) => ({ file, durationMs: ms })),
        tests: tests.map(([file, name, ms]) => ({ file, name, status: 'passed', durationMs: ms })),
      },
    },
  } as unknown as TaskView;
}

describe('runDurations', () => {
  it('takes each file as vitest measured it', () => {
    expect(
      runDurations([vitestTask(3_000, { 'a.test.ts': 1_000, 'b.test.ts': 600 })]).durations,
    ).toEqual(
      new Map([
        ['/p/a.test.ts', 1_000],
        ['/p/b.test.ts', 600],
      ]),
    );
  });

  it("gives a type test what its task took beyond its files and the other task's start-up", () => {
    const { durations } = runDurations([
      // 4 s of files on 2 workers: 2 s; the task took 3.5 s: 1.5 s of start-up.
      vitestTask(3_500, { 'a.test.ts': 3_000, 'b.test.ts': 1_000 }),
      // 1 s of files on 2 workers: 0.5 s; it took 4.5 s: 4 s beyond, 2.5 s more than start-up.
      vitestTask(4_500, { 'c.test.ts': 1_000, 'types.test-d.ts': 0 }),
    ]);
    expect(durations.get('/p/types.test-d.ts')).toBe(2_500);
    expect(durations.get('/p/c.test.ts')).toBe(1_000);
  });

  it('leaves a type test unmeasured when no task without one tells the start-up', () => {
    const { durations } = runDurations([vitestTask(4_000, { 'c.test.ts': 500, 'x.test-d.ts': 0 })]);
    expect(durations.get('/p/x.test-d.ts')).toBe(0);
  });

  it("sums a file split by its tests over its slices, its set-up once, and keeps every slice's tests", () => {
    const { durations, tests } = runDurations([
      // Each slice: 300 ms of set-up and its tests.
      vitestTask(2_000, { 's.test.ts': 1_300 }, 1, [['s.test.ts', 'a', 1_000]]),
      vitestTask(2_000, { 's.test.ts': 1_100 }, 1, [
        ['s.test.ts', 'b', 500],
        ['s.test.ts', 'c', 300],
      ]),
    ]);
    expect(durations.get('/p/s.test.ts')).toBe(2_100);
    expect(tests.get('/p/s.test.ts')).toEqual([
      { name: 'a', durationMs: 1_000 },
      { name: 'b', durationMs: 500 },
      { name: 'c', durationMs: 300 },
    ]);
  });
});
