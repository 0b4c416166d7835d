import { describe, expect, it } from 'vitest';
import { UnschedulableExplainer } from '../../../../coordinator/queries.js';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const wide = (slots: number) => commandSpec({ requirements: { slots } });

describe('tasks that take several slots', () => {
  it('go only where that many slots are free, and take them all', () => {
    const h = new Harness();
    const [two, one1, one2] = h.submit(wide(2), commandSpec(), commandSpec());
    h.register('small', { slots: 1 });
    h.register('big', { slots: 2 });
    const placements = h.assign();
    // The wide task fills `big`; the first one-slot task takes `small`, the second waits.
    expect(placements).toEqual([
      { taskId: two, workerId: 'big' },
      { taskId: one1, workerId: 'small' },
    ]);
    expect(schedule(h.state)).toEqual([]);
    h.report(two!, { status: 'succeeded', durationMs: 1 });
    expect(h.assign()).toEqual([{ taskId: one2, workerId: 'big' }]);
  });

  it('wait for a worker to have that many free, while one-slot tasks fill what is left', () => {
    const h = new Harness();
    h.register('w', { slots: 2 });
    const [first] = h.submit(commandSpec());
    h.assign();
    const [two, one] = h.submit(wide(2), commandSpec());
    expect(h.assign()).toEqual([{ taskId: one, workerId: 'w' }]);
    h.report(first!, { status: 'succeeded', durationMs: 1 });
    expect(h.assign()).toEqual([]);
    h.report(one!, { status: 'succeeded', durationMs: 1 });
    expect(h.assign()).toEqual([{ taskId: two, workerId: 'w' }]);
  });

  it('say why no worker can take them when none has that many slots', () => {
    const h = new Harness();
    h.register('w', { slots: 2 });
    const [task] = h.submit(wide(3));
    expect(h.assign()).toEqual([]);
    expect(new UnschedulableExplainer(h.state).explain(h.task(task!))).toBe(
      'unschedulable: no worker with 3 slots',
    );
  });

  it('are refused at the assignment when the slots are gone', () => {
    const h = new Harness();
    h.register('w', { slots: 2 });
    const [one, two] = h.submit(commandSpec(), wide(2));
    h.run({ type: 'AssignTasks', now: h.now, placements: [{ taskId: one!, workerId: 'w' }] });
    h.run({ type: 'AssignTasks', now: h.now, placements: [{ taskId: two!, workerId: 'w' }] });
    expect(h.task(two!).state).toBe('queued');
  });
});
