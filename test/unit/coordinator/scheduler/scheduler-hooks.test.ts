import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type NamedSchedulerHooks,
  placementHooks,
  type SchedulerHooks,
} from '../../../../coordinator/scheduler/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const silent = pino({ level: 'silent' });
const hooksOf = (...hooks: SchedulerHooks[]) =>
  placementHooks(
    hooks.map((h, i): NamedSchedulerHooks => ({ plugin: `p${i}`, hooks: h })),
    silent,
  );

describe('scheduler hooks of plugins', () => {
  it('are no work at all when no plugin has one', () => {
    expect(hooksOf()).toBeUndefined();
    expect(hooksOf({})).toBeUndefined();
  });

  it('filter: a worker ruled out gets none of the task, which goes to another', () => {
    const h = new Harness();
    h.register('off', { slots: 4, labels: { numerics: 'off' } });
    h.register('on', { slots: 1 });
    const [a, b] = h.submit(commandSpec(), commandSpec());
    const hooks = hooksOf({ filter: (_task, worker) => worker.labels.numerics !== 'off' });
    // Without the hook `off` (more free slots) would take the first.
    expect(h.assign(hooks)).toEqual([{ taskId: a, workerId: 'on' }]);
    // The second waits for `on` rather than going to `off`; the class is not given up on.
    expect(h.assign(hooks)).toEqual([]);
    h.report(a!, { status: 'succeeded', durationMs: 1 });
    expect(h.assign(hooks)).toEqual([{ taskId: b, workerId: 'on' }]);
  });

  it('filter is asked per task: one task ruled out everywhere does not hold back the next', () => {
    const h = new Harness();
    h.register('w', { slots: 2 });
    const [blocked, free] = h.submit(
      commandSpec({ labels: { hold: 'yes' }, priority: 10 }),
      commandSpec(),
    );
    const hooks = hooksOf({ filter: (task) => task.spec.labels.hold !== 'yes' });
    expect(h.assign(hooks)).toEqual([{ taskId: free, workerId: 'w' }]);
    expect(h.task(blocked!).state).toBe('queued');
  });

  it('score: the highest score wins over the most free slots; ties go to the most free', () => {
    const h = new Harness();
    h.register('roomy', { slots: 4 });
    h.register('preferred', { slots: 1, labels: { numerics: 'preferred' } });
    h.register('other', { slots: 2 });
    const [a, b, c] = h.submit(commandSpec(), commandSpec(), commandSpec());
    const hooks = hooksOf({
      score: (_task, worker) => (worker.labels.numerics === 'preferred' ? 1 : 0),
    });
    expect(h.assign(hooks)).toEqual([
      { taskId: a, workerId: 'preferred' },
      { taskId: b, workerId: 'roomy' },
      { taskId: c, workerId: 'roomy' },
    ]);
  });

  it('score sees the task and the free slots, and several plugins add up', () => {
    const h = new Harness();
    h.register('x', { slots: 2 });
    h.register('y', { slots: 2 });
    const seen: Array<[string, string, number]> = [];
    const [task] = h.submit(commandSpec({ name: 'scored' }));
    const hooks = hooksOf(
      {
        score: (t, w) => {
          seen.push([t.spec.name ?? '', w.id, w.freeSlots]);
          return w.id === 'x' ? 1 : 0;
        },
      },
      { score: (_t, w) => (w.id === 'y' ? 2 : 0) },
    );
    expect(h.assign(hooks)).toEqual([{ taskId: task, workerId: 'y' }]);
    expect(seen).toEqual([
      ['scored', 'x', 2],
      ['scored', 'y', 2],
    ]);
  });

  it('one that throws or scores NaN counts as saying nothing', () => {
    const h = new Harness();
    h.register('a', { slots: 1 });
    h.register('b', { slots: 2 });
    const [task] = h.submit(commandSpec());
    const hooks = hooksOf({
      filter: () => {
        throw new Error('broken plugin');
      },
      score: () => Number.NaN,
    });
    expect(h.assign(hooks)).toEqual([{ taskId: task, workerId: 'b' }]);
  });

  it('a task pinned to a worker does not wait on it when the filter rules that worker out', () => {
    const h = new Harness();
    h.register('w', { slots: 1 });
    h.submit(commandSpec());
    h.assign();
    const [pinned] = h.submit(commandSpec({ requirements: { workers: ['w'] } }));
    const none = hooksOf({ filter: () => false });
    expect(h.assign(none)).toEqual([]);
    expect(h.task(pinned!).state).toBe('queued');
    // Without the hook it waits on `w` holding a lease.
    expect(h.assign()).toEqual([{ taskId: pinned, workerId: 'w' }]);
  });

  it('preemption stops a task only on a worker the filter allows', () => {
    const h = new Harness();
    h.register('w', { slots: 1 });
    h.submit(commandSpec({ priority: 0 }));
    h.assign();
    const [urgent] = h.submit(commandSpec({ priority: 100 }));
    expect(h.assign(hooksOf({ filter: () => false }))).toEqual([]);
    const placements = h.assign();
    expect(placements).toHaveLength(1);
    expect(placements[0]).toMatchObject({ taskId: urgent, workerId: 'w' });
  });
});
