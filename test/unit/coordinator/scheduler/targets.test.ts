import { describe, expect, it } from 'vitest';
import { UnschedulableExplainer } from '../../../../coordinator/queries.js';
import { Requirements } from '../../../../protocol/index.js';
import {
  browserCapabilities,
  commandSpec,
  disconnectCommand,
  Harness,
  nodeCapabilities,
} from '../../../support/fixtures.js';

function explain(h: Harness, id: string): string | undefined {
  return new UnschedulableExplainer(h.state).explain(h.task(id));
}

const pinnedTo = (...workers: string[]) => commandSpec({ requirements: { workers } });

describe('the workers requirement', () => {
  it('takes 1 to 64 worker ids', () => {
    expect(Requirements.safeParse({ workers: ['w1'] }).success).toBe(true);
    expect(Requirements.safeParse({ workers: [] }).success).toBe(false);
    expect(Requirements.safeParse({ workers: [''] }).success).toBe(false);
    expect(Requirements.safeParse({ workers: ['x'.repeat(129)] }).success).toBe(false);
    const ids = Array.from({ length: 65 }, (_, i) => `w${i}`);
    expect(Requirements.safeParse({ workers: ids.slice(0, 64) }).success).toBe(true);
    expect(Requirements.safeParse({ workers: ids }).success).toBe(false);
  });

  it('places a task only on a worker it names, even when another has more room', () => {
    const h = new Harness();
    h.register('w1', { slots: 1 });
    h.register('w2', { slots: 8 });
    const pinned = h.submit(...Array.from({ length: 4 }, () => pinnedTo('w1')));
    // Two more wait on w1 for its slot: nothing else could start them sooner.
    expect(h.assign()).toEqual(pinned.slice(0, 3).map((taskId) => ({ taskId, workerId: 'w1' })));
    expect(h.task(pinned[3]!).state).toBe('queued');
    const [free] = h.submit(commandSpec());
    expect(h.assign()).toEqual([{ taskId: free, workerId: 'w2' }]);
  });

  it('lets two tasks per slot wait on a worker it alone names, and none that could go elsewhere', () => {
    const h = new Harness();
    h.register('w1', { slots: 2 });
    h.register('w2', { slots: 1 });
    const pinned = h.submit(...Array.from({ length: 7 }, () => pinnedTo('w1')));
    const [either] = h.submit(pinnedTo('w1', 'w2'));
    const [free] = h.submit(commandSpec());
    const placed = h.assign();
    expect(placed.filter((p) => p.workerId === 'w1').map((p) => p.taskId)).toEqual(
      pinned.slice(0, 6),
    );
    expect(h.task(pinned[6]!).state).toBe('queued');
    // w2's one slot takes one of the two; the other waits in the queue, not on a busy worker.
    expect(placed.filter((p) => p.workerId === 'w2')).toHaveLength(1);
    expect([either, free].map((id) => h.task(id!).state).sort()).toEqual(['assigned', 'queued']);
    expect(h.state.workers.get('w1')!.running.size).toBe(6);

    // A slot frees: the next pinned one waits in its place.
    h.report(pinned[0]!, { status: 'succeeded', durationMs: 1 });
    expect(h.assign()).toEqual([{ taskId: pinned[6], workerId: 'w1' }]);
  });

  it('still applies the other requirements to the workers it names', () => {
    const h = new Harness();
    h.register('w1', { labels: { pool: 'a' } });
    h.register('w2', { labels: { pool: 'b' } });
    const [task] = h.submit(
      commandSpec({ requirements: { workers: ['w1', 'w2'], labels: { pool: 'b' } } }),
    );
    expect(h.assign()).toEqual([{ taskId: task, workerId: 'w2' }]);
  });

  it('places on a named worker that registers after the task was submitted', () => {
    const h = new Harness();
    h.register('w1');
    const [task] = h.submit(pinnedTo('later'));
    expect(h.assign()).toEqual([]);
    h.register('later');
    expect(h.assign()).toEqual([{ taskId: task, workerId: 'later' }]);
  });

  it('puts tasks naming the same workers in another order or twice in one class', () => {
    const h = new Harness();
    h.submit(pinnedTo('w1', 'w2'), pinnedTo('w2', 'w1', 'w2'));
    expect(h.state.ready.classes.size).toBe(1);
  });
});

describe('why a task that names its workers waits', () => {
  it('names each of its workers that is gone or unknown', () => {
    const h = new Harness();
    h.register('w3');
    h.register('w7');
    h.register('other');
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'w3', reason: 'silent' });
    h.run(disconnectCommand('w7', h.now));
    const [task] = h.submit(pinnedTo('w3', 'w7', 'w9'));
    expect(explain(h, task!)).toBe(
      'unschedulable: of the workers it may run on, w3 is dead, w7 is disconnected and "w9" is not registered',
    );
  });

  it('names the requirement a connected worker it names lacks', () => {
    const h = new Harness();
    h.register('w1', { capabilities: browserCapabilities('chromium') });
    h.register('w2', { labels: { pool: 'a' } });
    const [task] = h.submit(
      commandSpec({ requirements: { workers: ['w1', 'w2'], labels: { pool: 'b' } } }),
    );
    expect(explain(h, task!)).toBe(
      "unschedulable: of the workers it may run on, w1 does not run task kind 'command' and w2 lacks label pool=b",
    );
  });

  it('says a busy worker is busy when the others it names cannot take it', () => {
    const h = new Harness();
    h.register('w3');
    h.register('w7', { slots: 1 });
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'w3', reason: 'silent' });
    const [running, waiting] = h.submit(pinnedTo('w7'), pinnedTo('w3', 'w7'));
    h.assign();
    expect(h.task(running!).workerId).toBe('w7');
    expect(explain(h, waiting!)).toBe(
      'waiting: of the workers it may run on, w3 is dead and w7 is busy (1 of 1 slots taken)',
    );
  });

  it('says nothing while it merely waits for a slot on a worker it names, or one has room', () => {
    const h = new Harness();
    h.register('w7', { slots: 1 });
    h.register('w8', { slots: 1 });
    const [, , , waiting] = h.submit(...Array.from({ length: 4 }, () => pinnedTo('w7')));
    h.assign();
    expect(h.task(waiting!).state).toBe('queued');
    expect(explain(h, waiting!)).toBeUndefined();
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'w7', reason: 'silent' });
    const [roomy] = h.submit(pinnedTo('w7', 'w8'));
    expect(explain(h, roomy!)).toBeUndefined();
  });

  it('says a draining worker it names is held back', () => {
    const h = new Harness();
    h.register('w1');
    h.run({ type: 'DrainWorker', now: h.now, workerId: 'w1', by: 'admin' });
    const [task] = h.submit(pinnedTo('w1'));
    expect(explain(h, task!)).toBe(
      'waiting: of the workers it may run on, w1 is held back (it is draining)',
    );
  });

  it('labels a worker by its name and the start of its id, and counts what it does not name', () => {
    const h = new Harness();
    h.run({
      type: 'RegisterWorker',
      now: h.now,
      workerId: '3f2c9a1b-0000-4000-8000-000000000000',
      name: 'node-a',
      capabilities: nodeCapabilities(),
      labels: {},
      slots: 1,
      inFlight: null,
    });
    h.run({
      type: 'ExpireWorker',
      now: h.now,
      workerId: '3f2c9a1b-0000-4000-8000-000000000000',
      reason: 'silent',
    });
    const unknown = Array.from({ length: 7 }, (_, i) => `gone-${i}`);
    const [task] = h.submit(pinnedTo('3f2c9a1b-0000-4000-8000-000000000000', ...unknown));
    // Named in id order, the distinct ids only.
    expect(explain(h, task!)).toBe(
      'unschedulable: of the workers it may run on, node-a (3f2c9a1b) is dead, "gone-0" is not registered, "gone-1" is not registered, "gone-2" is not registered, "gone-3" is not registered and 3 more cannot take it either',
    );
  });
});
