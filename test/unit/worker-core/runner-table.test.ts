import { describe, expect, test } from 'vitest';
import type { Assignment, TaskResult } from '../../../protocol/index.js';
import { runByKind } from '../../../worker-core/runner-table.js';

const command: Assignment = {
  kind: 'command',
  taskId: 't1',
  attempt: 1,
  leaseToken: 1,
  timeoutMs: 1_000,
  payload: { command: 'true', args: [], env: {}, shell: false },
};

const succeeded: TaskResult = { status: 'succeeded', durationMs: 1 };

describe('runByKind', () => {
  test('runs an assignment with the runner of its kind, through the run the worker gives', async () => {
    const ran: string[] = [];
    const run = runByKind<'command'>(
      'a test worker',
      {
        command: {
          run: async (assignment) => {
            ran.push(assignment.taskId);
            return succeeded;
          },
        },
      },
      async (runner, assignment, signal) => ({
        ...(await runner.run(assignment, signal)),
        logs: ['wrapped'],
      }),
    );
    expect(await run(command, new AbortController().signal)).toEqual({
      ...succeeded,
      logs: ['wrapped'],
    });
    expect(ran).toEqual(['t1']);
  });

  test('answers a kind it has no runner for as unsupported, naming the worker and the kind', async () => {
    const run = runByKind<'webgpu'>('a test worker', {
      webgpu: { run: async () => succeeded },
    });
    expect(await run(command, new AbortController().signal)).toEqual({
      status: 'unsupported',
      durationMs: 0,
      error: "a test worker has no runner for task kind 'command'",
    });
  });
});
