import { describe, expect, it } from 'vitest';
import { formatTasksTable } from '../../../cli/commands/tasks.js';
import { formatDuration } from '../../../cli/format/duration.js';
import { keyValueRows } from '../../../cli/format/key-values.js';
import { formatSummary } from '../../../cli/format/summary.js';
import { formatTable } from '../../../cli/format/table.js';
import { RetryPolicy, type TaskEvent, type TaskView } from '../../../protocol/index.js';

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
  it('counts states and lists what did not succeed with its error', () => {
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
    ];
    expect(formatSummary(events)).toBe(
      [
        'STATE      TASKS',
        'succeeded  1',
        'failed     1',
        'cancelled  1',
        '',
        '2 task(s) did not succeed:',
        'TASK  STATE      ATTEMPT  ERROR',
        't2    failed     4        assertion failed',
        't3    cancelled  1        cancelled by client',
      ].join('\n'),
    );
  });
});

describe('formatTasksTable', () => {
  it('shows id, name or kind, state, priority, attempt, worker and duration', () => {
    const task: TaskView = {
      id: 't1',
      seq: 1,
      kind: 'command',
      priority: 2,
      state: 'succeeded',
      attempt: 1,
      failures: 0,
      leaseToken: 1,
      workerId: 'w1',
      submittedAt: 0,
      result: { status: 'succeeded', durationMs: 1_500 },
      history: [],
      spec: {
        kind: 'command',
        payload: { command: 'x', args: [], env: {}, shell: false },
        priority: 2,
        requirements: {},
        timeoutMs: 1_000,
        retry: RetryPolicy.parse({ maxRetries: 0 }),
        labels: {},
      },
    };
    expect(
      formatTasksTable([
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
      ]),
    ).toBe(
      [
        'ID  NAME     STATE      PRIORITY  ATTEMPT  WORKER  DURATION  NOTE',
        't1  command  succeeded  2         1        w1      1.5s',
        't2  lint     queued     2         1        -       -         unschedulable: no worker with label gpu=a100',
      ].join('\n'),
    );
  });
});
