import { describe, expect, it } from 'vitest';
import { formatTasksTable } from '../../../../cli/commands/tasks.js';
import { formatDuration } from '../../../../cli/format/duration.js';
import { keyValueRows } from '../../../../cli/format/key-values.js';
import { failureDetail, formatSummary } from '../../../../cli/format/summary.js';
import { formatTable } from '../../../../cli/format/table.js';
import type { TaskEvent } from '../../../../protocol/index.js';
import { taskView } from '../../../support/fixtures.js';

const task = taskView();

describe('formatTable', () => {
  it('aligns columns two spaces apart without trailing spaces', () => {
    expect(
      formatTable([
        ['ID', 'STATE'],
        ['task-10', 'queued'],
        ['t2', ''],
      ]),
    ).toBe(['ID       STATE', 'task-10  queued', 't2'].join('\n'));
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m05s'],
    [7_620_000, '2h07m'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('keyValueRows', () => {
  it('flattens nested objects into dotted paths', () => {
    expect(keyValueRows({ role: 'leader', tasks: { queued: 3 }, peers: ['a', 'b'] })).toEqual([
      ['role', 'leader'],
      ['tasks.queued', '3'],
      ['peers', 'a, b'],
    ]);
  });
});

describe('formatSummary', () => {
  const at = 1;
  it('counts states and lists what did not succeed by name, with the first lines of its error or stderr', () => {
    const stderr = [
      'boom: cannot open data.csv',
      '',
      'at load (train.py:3)',
      ...Array(9).fill('more'),
    ];
    const events: TaskEvent[] = [
      { taskId: 't1', state: 'succeeded', attempt: 1, at },
      {
        taskId: 't2',
        state: 'failed',
        attempt: 4,
        at,
        result: { status: 'failed', durationMs: 5, error: 'assertion failed\n  at x.ts:1' },
      },
      { taskId: 't3', state: 'cancelled', attempt: 1, at, reason: 'cancelled by client' },
      {
        taskId: 't4',
        state: 'failed',
        attempt: 1,
        at,
        result: {
          status: 'failed',
          durationMs: 5,
          error: 'exited with code 3',
          output: {
            kind: 'command',
            exitCode: 3,
            signal: null,
            stdout: '',
            stderr: stderr.join('\n'),
            stdoutTruncated: false,
            stderrTruncated: false,
          },
        },
      },
    ];
    const views = new Map([
      ['t2', { ...task, id: 't2', kind: 'vitest', name: 'unit tests' }],
      ['t4', { ...task, id: 't4', name: 'train' }],
    ]);
    expect(formatSummary(events, views)).toBe(
      [
        'STATE      TASKS',
        'succeeded  1',
        'failed     2',
        'cancelled  1',
        '',
        '3 task(s) did not succeed:',
        'unit tests (t2): failed, attempt 4: assertion failed',
        '      at x.ts:1',
        't3: cancelled, attempt 1: cancelled by client',
        'train (t4): failed, attempt 1: exited with code 3',
        '    boom: cannot open data.csv',
        '    at load (train.py:3)',
        '    more',
        '    more',
        '    more',
      ].join('\n'),
    );
  });

  it("names a vitest task's failed tests", () => {
    const tests = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      file: 'x.test.ts',
      status: 'failed' as const,
      durationMs: 1,
      error: `expected ${name}\nstack`,
    }));
    expect(
      failureDetail({
        status: 'failed',
        durationMs: 1,
        error: '4 of 4 tests failed',
        output: { kind: 'vitest', tests, passed: 0, failed: 4, skipped: 0 },
      }),
    ).toEqual(['✗ a: expected a', '✗ b: expected b', '✗ c: expected c']);
  });
});

describe('formatTasksTable', () => {
  it('shows id, name or kind, state, priority, attempt, worker (by name where known) and duration', () => {
    expect(
      formatTasksTable(
        [
          task,
          {
            ...task,
            id: 't2',
            name: 'lint',
            state: 'queued',
            workerId: undefined,
            result: undefined,
            unschedulable: 'unschedulable: no worker with label gpu=a100',
          },
          { ...task, id: 't3', workerId: 'gone' },
        ],
        new Map([['w1', 'gpu-box']]),
      ),
    ).toBe(
      [
        'ID  NAME     STATE      PRIORITY  ATTEMPT  WORKER   DURATION  NOTE',
        't1  command  succeeded  2         1        gpu-box  1.5s',
        't2  lint     queued     2         1        -        -         unschedulable: no worker with label gpu=a100',
        't3  command  succeeded  2         1        gone     1.5s',
      ].join('\n'),
    );
  });
});
