import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../../protocol/index.js';
import {
  MAX_PLUGIN_OUTPUT_BYTES,
  type PluginRunner,
  pluginResult,
  runPlugin,
} from '../../../worker-core/index.js';

const assignment = (input?: unknown): Extract<Assignment, { kind: 'plugin' }> => ({
  kind: 'plugin',
  taskId: 't1',
  attempt: 1,
  leaseToken: 1,
  timeoutMs: 1_000,
  name: 'task one',
  payload: { runner: 'r', input: input as never },
});

describe("a plugin runner's answer as a task result", () => {
  it('nothing returned is a success with no tests', () => {
    expect(pluginResult('r', undefined, 5)).toEqual({
      status: 'succeeded',
      durationMs: 5,
      output: { kind: 'plugin', runner: 'r', tests: [], passed: 0, failed: 0, skipped: 0 },
    });
  });

  it('its tests are counted and a failed one fails the task; its output is kept as JSON', () => {
    const result = pluginResult(
      'r',
      {
        output: { at: new Date(0), n: 1 },
        tests: [
          { name: 'a', status: 'passed', durationMs: 2 },
          { name: 'b', status: 'failed', error: 'off by one', file: 'b.ts' },
          { name: 'c', status: 'skipped' },
        ],
      },
      9,
    );
    expect(result).toEqual({
      status: 'failed',
      durationMs: 9,
      error: '1 of 3 tests failed',
      output: {
        kind: 'plugin',
        runner: 'r',
        output: { at: '1970-01-01T00:00:00.000Z', n: 1 },
        tests: [
          { name: 'a', file: 'r', status: 'passed', durationMs: 2 },
          { name: 'b', file: 'b.ts', status: 'failed', durationMs: 0, error: 'off by one' },
          { name: 'c', file: 'r', status: 'skipped', durationMs: 0 },
        ],
        passed: 1,
        failed: 1,
        skipped: 1,
      },
    });
  });

  it('a test of an unknown status fails, saying so; an error given fails the task with it', () => {
    const result = pluginResult('r', { tests: [{ name: 'x', status: 'ok' }], error: 'bad' }, 1);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('bad');
    expect(result.output).toMatchObject({
      tests: [{ name: 'x', status: 'failed', error: 'the runner gave status "ok"' }],
    });
  });

  it('an answer that is not an object, output that is not JSON or too large, fail the task', () => {
    expect(pluginResult('r', 42, 1)).toMatchObject({
      status: 'failed',
      error: "plugin runner 'r' returned a number, not { output?, tests?, error? }",
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(pluginResult('r', { output: cyclic }, 1).error).toMatch(/^its output is not JSON: /);
    expect(pluginResult('r', { output: () => 1 }, 1).error).toBe('its output is not JSON');
    const big = 'x'.repeat(MAX_PLUGIN_OUTPUT_BYTES);
    expect(pluginResult('r', { output: big }, 1).error).toMatch(/more than 1048576$/);
  });

  it('runs the runner with the input and the task, and a throw fails the task naming the runner', async () => {
    const seen: unknown[] = [];
    const runner: PluginRunner = {
      run(input, context) {
        seen.push(input, context.taskId, context.attempt, context.name);
        return { output: 'done' };
      },
    };
    const signal = new AbortController().signal;
    expect(await runPlugin(runner, assignment({ size: 3 }), signal)).toMatchObject({
      status: 'succeeded',
      output: { output: 'done' },
    });
    expect(seen).toEqual([{ size: 3 }, 't1', 1, 'task one']);
    const throwing: PluginRunner = {
      run: () => Promise.reject(new RangeError('too big')),
    };
    const failed = await runPlugin(throwing, assignment(), signal);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^plugin runner 'r' threw: RangeError: too big\n/);
  });
});
