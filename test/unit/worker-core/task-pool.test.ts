import { describe, expect, test, vi } from 'vitest';
import type { Assignment, ResultReport, TaskResult } from '../../../protocol/index.js';
import { TaskPool } from '../../../worker-core/task-pool.js';

const task = (taskId: string): Assignment => ({
  kind: 'command',
  taskId,
  attempt: 1,
  leaseToken: 1,
  timeoutMs: 1_000,
  payload: { command: 'true', args: [], env: {}, shell: false },
});

/** A pool whose runs end only when the test says so. */
function controlledPool(slots: number) {
  const started: string[] = [];
  const finished: ResultReport[] = [];
  const endRun = new Map<string, (result: TaskResult) => void>();
  const pool = new TaskPool(
    slots,
    (assignment, signal) =>
      new Promise((resolve) => {
        endRun.set(assignment.taskId, resolve);
        signal.addEventListener('abort', () => resolve({ status: 'failed', durationMs: 0 }));
      }),
    {
      started: (assignment) => started.push(assignment.taskId),
      finished: (report) => finished.push(report),
    },
  );
  return { pool, started, finished, endRun };
}

const succeeded: TaskResult = { status: 'succeeded', durationMs: 1 };

describe('TaskPool', () => {
  test('runs at most `slots` at once and starts waiting tasks as slots free up', async () => {
    const { pool, started, finished, endRun } = controlledPool(2);
    for (const id of ['a', 'b', 'c']) pool.submit(task(id));
    expect(started).toEqual(['a', 'b']);
    expect(pool.leaseRefs().map((lease) => lease.taskId)).toEqual(['a', 'b', 'c']);
    endRun.get('a')?.(succeeded);
    await vi.waitFor(() => expect(started).toEqual(['a', 'b', 'c']));
    await pool.abortAll('test over');
    expect(finished).toEqual([{ taskId: 'a', attempt: 1, leaseToken: 1, result: succeeded }]);
  });

  test('counts an attempt of several slots as that many, and runs one wider than the pool alone', async () => {
    const { pool, started, endRun } = controlledPool(2);
    pool.submit({ ...task('wide'), slots: 2 });
    pool.submit(task('narrow'));
    pool.submit({ ...task('wider'), slots: 3 });
    expect(started).toEqual(['wide']);
    endRun.get('wide')?.(succeeded);
    await vi.waitFor(() => expect(started).toEqual(['wide', 'narrow']));
    endRun.get('narrow')?.(succeeded);
    await vi.waitFor(() => expect(started).toEqual(['wide', 'narrow', 'wider']));
    await pool.abortAll('test over');
  });

  test('lets what finished leave before any attempt starts, waiting or just assigned', async () => {
    const events: string[] = [];
    const ends = new Map<string, () => void>();
    const pool = new TaskPool(
      1,
      (assignment) =>
        new Promise((resolve) => {
          ends.set(assignment.taskId, () => resolve(succeeded));
        }),
      {
        started: (assignment) => events.push(`started ${assignment.taskId}`),
        finished: (report) => events.push(`finished ${report.taskId}`),
        beforeStart: () => events.push('before start'),
      },
    );
    pool.submit(task('a'));
    pool.submit(task('b'));
    ends.get('a')!();
    await vi.waitFor(() => expect(events).toContain('started b'));
    ends.get('b')!();
    await vi.waitFor(() => expect(events).toContain('finished b'));
    pool.submit(task('c'));
    expect(events).toEqual([
      'before start',
      'started a',
      'finished a',
      'before start',
      'started b',
      'finished b',
      'before start',
      'started c',
    ]);
    ends.get('c')!();
    expect(await pool.idle(5_000)).toBe(true);
  });

  test('an aborted attempt reports nothing, waiting or running', async () => {
    const { pool, started, finished, endRun } = controlledPool(1);
    pool.submit(task('a'));
    pool.submit(task('b'));
    expect(pool.abort('b', 1, 'cancelled')).toBe(true);
    expect(pool.abort('a', 1, 'cancelled')).toBe(true);
    expect(pool.abort('a', 2, 'cancelled')).toBe(false);
    pool.submit(task('c'));
    await vi.waitFor(() => expect(endRun.has('c')).toBe(true));
    endRun.get('c')?.(succeeded);
    await vi.waitFor(() => expect(finished.map((report) => report.taskId)).toEqual(['c']));
    expect(started).toEqual(['a', 'c']);
  });

  test('a runner that throws becomes a failed result', async () => {
    const finished: ResultReport[] = [];
    const pool = new TaskPool(1, () => Promise.reject(new Error('boom')), {
      started: () => {},
      finished: (report) => finished.push(report),
    });
    pool.submit(task('a'));
    await vi.waitFor(() => expect(finished).toHaveLength(1));
    expect(finished[0]?.result).toMatchObject({ status: 'failed', error: 'runner error: boom' });
  });
});
