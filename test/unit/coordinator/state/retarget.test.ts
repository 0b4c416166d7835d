import { describe, expect, it } from 'vitest';
import { UnschedulableExplainer } from '../../../../coordinator/queries.js';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import type { Command, StateEvent } from '../../../../coordinator/state/index.js';
import type { Requirements } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const pinnedTo = (...workers: string[]) => commandSpec({ requirements: { workers } });

function retarget(
  h: Harness,
  taskIds: string[],
  requirements: Requirements,
  revokeRunning = false,
): StateEvent[] {
  return h.run({ type: 'RetargetTasks', now: h.now, taskIds, requirements, revokeRunning });
}

/** Two workers, `a` gone and `b` connected, and a task `pinned` to `a`, queued. */
function stranded() {
  const h = new Harness();
  h.register('a');
  h.register('b');
  h.run({ type: 'ExpireWorker', now: h.now, workerId: 'a', reason: 'silent' });
  const [pinned] = h.submit(pinnedTo('a'));
  return { h, pinned: pinned! };
}

/** Two workers, `a` and `b`, and a `task` pinned to `a` running there. */
function runningOnA() {
  const h = new Harness();
  h.register('a');
  h.register('b');
  const [task] = h.submit(pinnedTo('a'));
  h.assign();
  h.run({ type: 'StartTask', now: h.now, workerId: 'a', lease: h.lease(task!) });
  return { h, task: task! };
}

describe('RetargetTasks', () => {
  it('makes a queued task placeable on its new workers at once', () => {
    const { h, pinned } = stranded();
    expect(h.assign()).toEqual([]);
    const events = retarget(h, [pinned], { workers: ['b'] });
    expect(events).toEqual([{ type: 'TaskRetargeted', task: h.task(pinned), revoked: false }]);
    expect(h.task(pinned).spec.requirements).toEqual({ workers: ['b'] });
    expect(h.task(pinned).submittedRequirements).toEqual({ workers: ['a'] });
    expect(h.assign()).toEqual([{ taskId: pinned, workerId: 'b' }]);
    expect(h.task(pinned)).toMatchObject({ state: 'assigned', attempt: 1, failures: 0 });
  });

  it('leaves no live entry of the task in its old class', () => {
    const h = new Harness();
    h.register('a', { slots: 2 });
    const [moved, stays] = h.submit(commandSpec(), commandSpec());
    retarget(h, [moved!], { workers: ['nobody'] });
    // Were its entry in the class it shares with `stays` still live, it would be placed on `a`.
    expect(h.assign()).toEqual([{ taskId: stays, workerId: 'a' }]);
    expect(h.task(moved!).state).toBe('queued');
    retarget(h, [moved!], {});
    expect(h.assign()).toEqual([{ taskId: moved, workerId: 'a' }]);
    expect(h.state.ready.size).toBe(0);
  });

  it('lets a running attempt go on where it is unless asked to revoke it', () => {
    const { h, task } = runningOnA();
    const kept = retarget(h, [task], { workers: ['b'] });
    expect(kept).toEqual([{ type: 'TaskRetargeted', task: h.task(task), revoked: false }]);
    expect(h.task(task)).toMatchObject({ state: 'running', workerId: 'a', attempt: 1 });
    expect(h.task(task).spec.requirements).toEqual({ workers: ['b'] });
  });

  it('with revokeRunning, stops the attempt on a worker ruled out and requeues it uncharged', () => {
    const { h, task } = runningOnA();
    h.now = 2_000;
    const events = retarget(h, [task], { workers: ['b'] }, true);
    const reason = 'retargeted: its new requirements rule out worker a';
    expect(events.map((e) => e.type)).toEqual(['TaskRetargeted', 'LeaseRevoked', 'TaskRequeued']);
    expect(events[0]).toMatchObject({ revoked: true });
    expect(events[1]).toEqual({
      type: 'LeaseRevoked',
      workerId: 'a',
      taskId: task,
      attempt: 1,
      reason,
    });
    expect(h.task(task)).toMatchObject({ state: 'queued', failures: 0, placeable: true });
    expect(h.task(task).history).toEqual([
      { attempt: 1, workerId: 'a', reason, at: 2_000, charged: false },
    ]);
    expect(h.state.workers.get('a')!.running.size).toBe(0);
    expect(h.assign()).toEqual([{ taskId: task, workerId: 'b' }]);
    expect(h.task(task)).toMatchObject({ attempt: 2, failures: 0 });
    // Sent again (a client's resend after a lost connection), it leaves the new attempt alone.
    const again = retarget(h, [task], { workers: ['b'] }, true);
    expect(again).toEqual([{ type: 'TaskRetargeted', task: h.task(task), revoked: false }]);
    expect(h.task(task)).toMatchObject({ state: 'assigned', workerId: 'b', attempt: 2 });
  });

  it('with revokeRunning, leaves an attempt on a worker the new requirements still allow', () => {
    const h = new Harness();
    h.register('a', { labels: { pool: 'x' } });
    const [task] = h.submit(commandSpec());
    h.assign();
    const events = retarget(h, [task!], { workers: ['a', 'b'], labels: { pool: 'x' } }, true);
    expect(events).toEqual([{ type: 'TaskRetargeted', task: h.task(task!), revoked: false }]);
    expect(h.task(task!)).toMatchObject({ state: 'assigned', workerId: 'a' });
  });

  it('leaves ended and unknown tasks alone, and retargets each named task once', () => {
    const h = new Harness();
    h.register('a');
    const [done, queued] = h.submit(commandSpec(), pinnedTo('nobody'));
    h.assign();
    h.report(done!, { status: 'succeeded', durationMs: 1 });
    const before = structuredClone(h.task(done!).spec);
    const events = retarget(h, [done!, 'no-such-task', queued!, queued!], { workers: ['a'] });
    expect(events).toEqual([{ type: 'TaskRetargeted', task: h.task(queued!), revoked: false }]);
    expect(h.task(done!).spec).toEqual(before);
    expect(h.task(done!).submittedRequirements).toBeUndefined();
  });

  it('keeps the requirements a task was submitted with through several retargets', () => {
    const { h, pinned } = stranded();
    retarget(h, [pinned], { workers: ['c'] });
    retarget(h, [pinned], { workers: ['b'] });
    expect(h.task(pinned).submittedRequirements).toEqual({ workers: ['a'] });
    expect(h.task(pinned).spec.requirements).toEqual({ workers: ['b'] });
  });

  it('ends a retry backoff; a task waiting for its parent takes the new ones when it succeeds', () => {
    const h = new Harness();
    h.register('a');
    h.register('b');
    const [parent] = h.submit(
      commandSpec({ retry: { delayMs: 60_000 }, requirements: { workers: ['a'] } }),
    );
    const [child] = h.submit(
      commandSpec({ dependsOn: [parent!], requirements: { workers: ['a'] } }),
    );
    h.assign();
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'a', reason: 'silent' });
    expect(h.task(parent!)).toMatchObject({ state: 'queued', placeable: false, failures: 1 });
    retarget(h, [parent!, child!], { workers: ['b'] });
    expect(h.task(parent!).notBefore).toBeUndefined();
    expect(h.assign()).toEqual([{ taskId: parent, workerId: 'b' }]);
    // The backoff's entry is stale: its time coming changes nothing.
    h.advance(60_000);
    expect(h.task(parent!)).toMatchObject({ state: 'assigned', workerId: 'b', attempt: 2 });
    h.report(parent!, { status: 'succeeded', durationMs: 1 });
    expect(h.assign()).toEqual([{ taskId: child, workerId: 'b' }]);
  });

  it('is deterministic: the same commands on two states give the same events and state', () => {
    const run = () => {
      const h = new Harness();
      h.register('a', { slots: 2 });
      h.register('b', { slots: 2 });
      const ids = h.submit(pinnedTo('a'), pinnedTo('a'), pinnedTo('a'), commandSpec());
      h.assign();
      const command: Command = {
        type: 'RetargetTasks',
        now: h.now,
        taskIds: [...ids].reverse(),
        requirements: { workers: ['b'] },
        revokeRunning: true,
      };
      const events = h.run(command);
      h.assign();
      const tasks = [...h.state.tasks.values()].map((t) => ({ ...t }));
      return JSON.stringify({ events, tasks, placements: schedule(h.state) });
    };
    expect(run()).toBe(run());
  });

  it('a repeat of the submit still finds the task after a retarget', () => {
    const h = new Harness();
    const spec = commandSpec({ idempotencyKey: 'k', requirements: { workers: ['a'] } });
    const [task] = h.submit(spec);
    retarget(h, [task!], { workers: ['b'] });
    const events = h.run({ type: 'SubmitTasks', now: h.now, tasks: [{ id: 'repeat', spec }] });
    expect(events).toEqual([{ type: 'TaskDeduplicated', requestedId: 'repeat', existingId: task }]);
  });

  it('explains the new requirements at once, also for a task that is not placeable', () => {
    const { h, pinned } = stranded();
    const [child] = h.submit(
      commandSpec({ dependsOn: [pinned], requirements: { workers: ['a'], minMemoryMb: 1 } }),
    );
    const explainer = new UnschedulableExplainer(h.state);
    expect(h.task(child!).placeable).toBe(false);
    expect(explainer.explain(h.task(child!))).toBe(
      'unschedulable: of the workers it may run on, a is dead',
    );
    retarget(h, [child!], { workers: ['c'], minMemoryMb: 1 });
    expect(explainer.explain(h.task(child!))).toBe(
      'unschedulable: of the workers it may run on, "c" is not registered',
    );
  });
});
