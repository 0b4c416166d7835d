import { describe, expect, it } from 'vitest';
import { sameJson } from '../../../../coordinator/state/idempotency.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

describe('idempotency keys', () => {
  it('answer an identical repeat with the first task, its env in any order', () => {
    const h = new Harness();
    const env = { A: '1', B: '2' };
    const [first] = h.submit(commandSpec({ idempotencyKey: 'k', payload: { command: 'x', env } }));
    const again = commandSpec({
      idempotencyKey: 'k',
      payload: { command: 'x', env: { B: '2', A: '1' } },
    });
    const events = h.run({ type: 'SubmitTasks', now: h.now, tasks: [{ id: 'r', spec: again }] });
    expect(events).toEqual([{ type: 'TaskDeduplicated', requestedId: 'r', existingId: first }]);
  });

  it('refuse a whole submit that repeats a key with another spec, naming the key', () => {
    const h = new Harness();
    const [first] = h.submit(commandSpec({ idempotencyKey: 'nightly-1' }));
    const events = h.run({
      type: 'SubmitTasks',
      now: h.now,
      tasks: [
        { id: 'new', spec: commandSpec() },
        { id: 'other', spec: commandSpec({ idempotencyKey: 'nightly-1', priority: 3 }) },
      ],
    });
    expect(events).toEqual([
      { type: 'SubmitRefused', key: 'nightly-1', index: 1, existingId: first },
    ]);
    expect([...h.state.tasks.keys()]).toEqual([first]);
  });

  it('refuse two tasks of one submit with the same key and different specs', () => {
    const h = new Harness();
    const events = h.run({
      type: 'SubmitTasks',
      now: h.now,
      tasks: [
        { id: 'a', spec: commandSpec({ idempotencyKey: 'k', name: 'a' }) },
        { id: 'b', spec: commandSpec({ idempotencyKey: 'k', name: 'b' }) },
      ],
    });
    expect(events).toEqual([{ type: 'SubmitRefused', key: 'k', index: 1, existingId: 'a' }]);
    expect(h.state.tasks.size).toBe(0);
  });

  it('read a dependency on a repeated task as the task it repeats', () => {
    const h = new Harness();
    const parent = commandSpec({ idempotencyKey: 'parent' });
    const child = (parentId: string, key: string) =>
      commandSpec({ idempotencyKey: key, dependsOn: [parentId] });
    h.run({
      type: 'SubmitTasks',
      now: h.now,
      tasks: [
        { id: 'p1', spec: parent },
        { id: 'c1', spec: child('p1', 'child') },
      ],
    });
    // The same submit again (ids are new each time, refs resolved to them): the same tasks.
    const again = h.run({
      type: 'SubmitTasks',
      now: h.now,
      tasks: [
        { id: 'p2', spec: parent },
        { id: 'c2', spec: child('p2', 'child') },
        { id: 'n2', spec: child('p2', 'new-child') },
      ],
    });
    expect(again.map((e) => e.type)).toEqual([
      'TaskDeduplicated',
      'TaskDeduplicated',
      'TaskSubmitted',
    ]);
    expect(h.task('n2').spec.dependsOn).toEqual(['p1']);
    expect(h.task('n2').state).toBe('queued');
  });
});

describe('sameJson', () => {
  it('compares values, not key order, and takes an undefined field as absent', () => {
    expect(sameJson({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});
