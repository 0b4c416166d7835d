import { describe, expect, it } from 'vitest';
import { TaskSpec } from '../../../../protocol/index.js';

const plugin = (payload: object, requirements: object = {}) =>
  TaskSpec.safeParse({ kind: 'plugin', payload, requirements });

describe('the plugin task kind', () => {
  it('without a module runs on a Node worker that reports the runner', () => {
    const parsed = plugin({ runner: 'numerics', input: { size: 8 } }, { features: ['gpu'] });
    expect(parsed.success && parsed.data.requirements).toEqual({
      workerKind: 'node',
      features: ['gpu', 'runner:numerics'],
    });
  });

  it('parses a stored spec to itself: the feature is added once', () => {
    const once = TaskSpec.parse({ kind: 'plugin', payload: { runner: 'r' } });
    expect(TaskSpec.parse(once)).toEqual(once);
  });

  it('with a module runs in a browser, and cannot ask for a Node worker', () => {
    const module = '/page-modules/ab.js';
    const parsed = plugin({ runner: 'r', module }, { browser: 'firefox' });
    expect(parsed.success && parsed.data.requirements).toEqual({
      browser: 'firefox',
      workerKind: 'browser',
    });
    const refused = plugin({ runner: 'r', module }, { workerKind: 'node' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['requirements', 'workerKind'],
      message: 'a plugin task with a module runs in a browser, not on a Node worker',
    });
  });

  it('asking for a browser without a module is left for dtf run to give it one', () => {
    const parsed = plugin({ runner: 'r' }, { browser: 'chromium' });
    expect(parsed.success && parsed.data.requirements).toEqual({ browser: 'chromium' });
  });

  it('refuses a runner name that is not a plain lowercase name', () => {
    for (const runner of ['', 'Upper', '../x', 'a'.repeat(65), 'with space']) {
      expect(plugin({ runner }).success, runner).toBe(false);
    }
  });
});
