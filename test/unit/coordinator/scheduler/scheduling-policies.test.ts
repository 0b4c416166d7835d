import { describe, expect, it } from 'vitest';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import type { TaskSpec } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const ok = { status: 'succeeded', durationMs: 1 } as const;

/** Runs every task to completion on `slots` one-slot workers, each taking `durationOf` ms. */
function makespan(h: Harness, workers: number, durationOf: (spec: TaskSpec) => number): number {
  for (let i = 0; i < workers; i++) h.register(`w${i}`, { slots: 1 });
  const start = h.now;
  const ends = new Map<string, number>();
  for (;;) {
    for (const { taskId } of h.assign()) {
      ends.set(taskId, h.now + durationOf(h.task(taskId).spec));
    }
    if (ends.size === 0) return h.now - start;
    const next = Math.min(...ends.values());
    h.now = next;
    for (const [taskId, end] of ends) {
      if (end !== next) continue;
      ends.delete(taskId);
      h.report(taskId, { status: 'succeeded', durationMs: durationOf(h.task(taskId).spec) });
    }
  }
}

describe('scheduling policies', () => {
  it('runs the earliest deadline first among equal priorities, tasks without one last', () => {
    const h = new Harness();
    const [none, late, early, urgentButLow] = h.submit(
      commandSpec(),
      commandSpec({ deadline: 50_000 }),
      commandSpec({ deadline: 20_000 }),
      commandSpec({ deadline: 10_000, priority: -1 }),
    );
    h.register('w', { slots: 4 });
    expect(schedule(h.state).map((p) => p.taskId)).toEqual([early, late, none, urgentButLow]);
  });

  it('shares placements between groups within 5 % of their weights', () => {
    const weights = { a: 1, b: 2, c: 3 };
    const h = new Harness({ groupWeights: weights, agingIntervalMs: 0 });
    const backlog = 6_000; // more than any group's share of 10,000
    for (const group of Object.keys(weights)) {
      h.submit(...Array.from({ length: backlog }, () => commandSpec({ group })));
    }
    h.register('w', { slots: 1 });
    const placed = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const [placement] = h.assign();
      const group = h.task(placement!.taskId).spec.group as keyof typeof placed;
      placed[group]++;
      h.report(placement!.taskId, ok);
    }
    for (const [group, weight] of Object.entries(weights)) {
      const share = placed[group as keyof typeof placed] / 10_000;
      expect(Math.abs(share - weight / 6) / (weight / 6)).toBeLessThan(0.05);
    }
  });

  it('lets a group that comes back start level with the others, not with old credit', () => {
    const h = new Harness({ agingIntervalMs: 0 });
    h.submit(...Array.from({ length: 10 }, () => commandSpec({ group: 'busy' })));
    h.register('w', { slots: 1 });
    for (let i = 0; i < 6; i++) h.report(h.assign()[0]!.taskId, ok);
    h.submit(...Array.from({ length: 10 }, () => commandSpec({ group: 'late' })));
    const next = Array.from({ length: 4 }, () => {
      const [p] = h.assign();
      h.report(p!.taskId, ok);
      return h.task(p!.taskId).spec.group;
    });
    expect(next).toEqual(['late', 'busy', 'late', 'busy']);
  });

  it('starts a low-priority task within a bounded time under sustained high-priority load', () => {
    const waitUntilLowRuns = (agingIntervalMs: number, steps: number) => {
      const h = new Harness({ agingIntervalMs });
      const [low] = h.submit(commandSpec({ priority: 0 }));
      h.register('w', { slots: 1 });
      for (let step = 1; step <= steps; step++) {
        h.submit(commandSpec({ priority: 10 }), commandSpec({ priority: 10 }));
        h.now += 1_000;
        const [placement] = h.assign();
        if (placement!.taskId === low) return step;
        h.report(placement!.taskId, ok);
      }
      return undefined;
    };
    // One level per second waited. The high-priority backlog ages too: at step n the oldest
    // waiting one is n/2 s old, so the low task overtakes it once n > 10 + n/2, at step 21.
    expect(waitUntilLowRuns(1_000, 100)).toBe(21);
    expect(waitUntilLowRuns(0, 100)).toBeUndefined();
  });

  it('preempts a lower-priority running task, which is requeued without being charged', () => {
    const h = new Harness();
    const [low] = h.submit(commandSpec({ priority: 1 }));
    h.register('w', { slots: 1 });
    h.assign();
    const lowLease = h.lease(low!);
    const [high] = h.submit(commandSpec({ priority: 5 }));
    const placements = schedule(h.state);
    expect(placements).toEqual([{ taskId: high, workerId: 'w', preempts: lowLease }]);
    const events = h.run({ type: 'AssignTasks', now: h.now, placements });
    expect(events.map((e) => e.type)).toEqual(['LeaseRevoked', 'TaskRequeued', 'TaskAssigned']);
    expect(h.task(high!)).toMatchObject({ state: 'assigned', workerId: 'w' });
    expect(h.task(low!)).toMatchObject({ state: 'queued', failures: 0 });
    expect(h.task(low!).history).toEqual([
      {
        attempt: 1,
        workerId: 'w',
        reason: `preempted by task ${high} of priority 5`,
        at: h.now,
        charged: false,
      },
    ]);
    h.report(high!, ok);
    h.assign();
    h.report(low!, ok);
    expect(h.task(low!)).toMatchObject({ state: 'succeeded', attempt: 2 });
  });

  it('never preempts a task of equal priority, nor when preemption is off', () => {
    const equal = new Harness();
    equal.submit(commandSpec({ priority: 5 }));
    equal.register('w', { slots: 1 });
    equal.assign();
    equal.submit(commandSpec({ priority: 5 }));
    expect(schedule(equal.state)).toEqual([]);

    const off = new Harness({ preemption: false });
    off.submit(commandSpec({ priority: 1 }));
    off.register('w', { slots: 1 });
    off.assign();
    off.submit(commandSpec({ priority: 9 }));
    expect(schedule(off.state)).toEqual([]);
  });

  it('packs longest first from recorded durations: a shorter makespan than FIFO', () => {
    // Eight 2 s tests and one 8 s test submitted last, on three one-slot workers.
    const durations = [...Array.from({ length: 8 }, () => 2_000), 8_000];
    const named = durations.map((_, i) => commandSpec({ name: `test-${i}` }));
    const durationOf = (spec: TaskSpec) =>
      spec.kind === 'command' ? Number(spec.payload.args[0]) : 0;
    const specs = (withNames: boolean) =>
      durations.map((ms, i) =>
        commandSpec({
          payload: { command: 'run', args: [String(ms)] },
          ...(withNames ? { name: named[i]!.name } : {}),
        }),
      );

    const fifo = new Harness();
    fifo.submit(...specs(false));
    expect(makespan(fifo, 3, durationOf)).toBe(12_000);

    const lpt = new Harness();
    lpt.submit(...specs(true)); // first run: records each test's duration
    makespan(lpt, 3, durationOf);
    lpt.submit(...specs(true));
    expect(makespan(lpt, 3, durationOf)).toBe(8_000);
  });

  it('batches small tasks onto one worker, and spreads the others', () => {
    const h = new Harness();
    const small = Array.from({ length: 8 }, (_, i) => commandSpec({ name: `quick-${i}` }));
    h.submit(...small);
    h.register('first', { slots: 8 });
    for (const { taskId } of h.assign()) h.report(taskId, { status: 'succeeded', durationMs: 5 });
    h.register('second', { slots: 8 });

    h.submit(...small);
    const batched = h.assign();
    expect(new Set(batched.map((p) => p.workerId)).size).toBe(1);
    for (const { taskId } of batched) h.report(taskId, ok);

    h.submit(...Array.from({ length: 8 }, () => commandSpec()));
    const spread = h.assign();
    expect(spread.filter((p) => p.workerId === 'first')).toHaveLength(4);
  });
});
