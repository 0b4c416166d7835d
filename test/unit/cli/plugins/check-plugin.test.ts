import { describe, expect, it } from 'vitest';
import { checkPlugin } from '../../../../cli/plugins/check-plugin.js';

const problem = (value: unknown) => {
  try {
    checkPlugin(value, 'config: plugins[0]');
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

describe('a plugin as a config or module gives it', () => {
  it('is taken as it is, with its page runners as paths', () => {
    const runner = { run: () => undefined };
    const plugin = {
      name: 'p',
      runners: { 'my-kind': runner },
      pageRunners: { 'my-kind': new URL('file:///x/page.ts'), other: './o.ts' },
      scheduler: { score: () => 1 },
      onTaskEnd: () => undefined,
    };
    const checked = checkPlugin(plugin, 'here');
    expect(checked.plugin).toBe(plugin);
    expect(checked.pages).toEqual({ 'my-kind': '/x/page.ts', other: './o.ts' });
  });

  it('names what is wrong, and where', () => {
    expect(problem(null)).toBe(
      "config: plugins[0]: a plugin is an object with a name: definePlugin({ name: 'my-plugin', … })",
    );
    expect(problem({ name: 'p', onRunEnds: () => 1 })).toMatch(
      /^config: plugins\[0\]: plugin 'p': unknown option 'onRunEnds' \(name, reporters, /,
    );
    expect(problem({ name: 'p', reporters: [{ name: 'r' }] })).toBe(
      "config: plugins[0]: plugin 'p': reporters: expected reporters, objects with onRunEnd(report)",
    );
    expect(problem({ name: 'p', runners: { Bad: { run() {} } } })).toMatch(
      /plugin 'p': runners: runner name 'Bad': lowercase letters/,
    );
    expect(problem({ name: 'p', runners: { ok: () => 1 } })).toBe(
      "config: plugins[0]: plugin 'p': runners.ok: expected an object with run(input, context)",
    );
    expect(problem({ name: 'p', pageRunners: { ok: new URL('https://x/y.js') } })).toBe(
      "config: plugins[0]: plugin 'p': pageRunners.ok: expected the path or file: URL of a module",
    );
    expect(problem({ name: 'p', scheduler: { rank: () => 1 } })).toBe(
      "config: plugins[0]: plugin 'p': scheduler.rank: expected filter or score functions",
    );
    expect(problem({ name: 'p', onRunStart: 'soon' })).toBe(
      "config: plugins[0]: plugin 'p': onRunStart: expected a function",
    );
  });
});
