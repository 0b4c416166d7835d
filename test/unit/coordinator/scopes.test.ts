import { describe, expect, it } from 'vitest';
import { scopeRefusal } from '../../../coordinator/scopes.js';
import { type TaskSpec, TaskSpec as TaskSpecSchema } from '../../../protocol/index.js';

const spec = (input: Record<string, unknown>): TaskSpec =>
  TaskSpecSchema.parse({ kind: 'command', payload: { command: 'true' }, ...input });

describe('a key limited by scopes', () => {
  const scopes = {
    kinds: ['command' as const],
    labels: { pool: 'ci' },
    groups: ['ci-*', 'nightly'],
  };
  const fits = { group: 'ci-1234', requirements: { labels: { pool: 'ci', os: 'linux' } } };

  it('submits tasks of its kinds, with its labels, to its groups', () => {
    expect(scopeRefusal([spec(fits), spec({ ...fits, group: 'nightly' })], scopes)).toBeUndefined();
    expect(scopeRefusal([spec({})], undefined)).toBeUndefined();
  });

  it('is refused anything else, naming the task, the field and what the key allows', () => {
    const refusal = (input: Record<string, unknown>) =>
      scopeRefusal([spec(fits), spec({ ...fits, ...input })], scopes)?.message;
    expect(refusal({ kind: 'vitest', payload: { dir: '.' } })).toBe(
      'tasks[1].kind: this key may submit only command tasks, not vitest',
    );
    expect(refusal({ group: 'nightly-2' })).toBe(
      "tasks[1].group: this key may submit only to ci-*, nightly, not to group 'nightly-2'",
    );
    expect(refusal({ group: undefined })).toBe(
      'tasks[1].group: this key may submit only to ci-*, nightly, not without a group',
    );
    expect(refusal({ requirements: { labels: { pool: 'gpu' } } })).toMatch(
      /^tasks\[1\]\.requirements\.labels: this key's tasks must ask for pool=ci/,
    );
    expect(scopeRefusal([spec({ ...fits, requirements: {} })], scopes)?.code).toBe('forbidden');
  });
});
