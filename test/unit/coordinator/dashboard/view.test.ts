import { describe, expect, it } from 'vitest';
import type { CoordinatorContext } from '../../../../coordinator/context.js';
import { DashboardActivity } from '../../../../coordinator/dashboard/activity.js';
import { sharedView, workersPage } from '../../../../coordinator/dashboard/view.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const MINUTE = 60_000;

function contextOf(h: Harness): CoordinatorContext {
  return { state: h.state, startedAt: 0, now: () => h.now } as unknown as CoordinatorContext;
}

describe('the dashboard view', () => {
  it('counts tasks ended per minute and keeps the latest failures from the committed events', () => {
    const h = new Harness();
    h.now = 10 * MINUTE;
    h.register('w1', { slots: 4 });
    const activity = new DashboardActivity(h.state, h.now);
    const [ok, bad] = h.submit(
      commandSpec({ name: 'fine' }),
      commandSpec({ name: 'broken', retry: { maxRetries: 0 } }),
    );
    h.assign();
    h.now += 30_000;
    activity.record(h.report(ok!, { status: 'succeeded', durationMs: 5 }), h.now);
    h.now += MINUTE;
    activity.record(
      h.report(bad!, { status: 'failed', durationMs: 5, error: 'exit 3\nstack' }),
      h.now,
    );

    const view = sharedView(contextOf(h), activity, h.now);
    expect(view.tasks.byState).toMatchObject({ succeeded: 1, failed: 1, queued: 0 });
    expect(view.throughput.succeeded.slice(-2)).toEqual([1, 0]);
    expect(view.throughput.failed.slice(-2)).toEqual([0, 1]);
    expect(view.throughput.succeeded).toHaveLength(60);
    expect(view.failures).toMatchObject([
      {
        taskId: bad,
        name: 'broken',
        kind: 'command',
        state: 'failed',
        workerId: 'w1',
        error: 'exit 3\nstack',
      },
    ]);
    // Built afresh from the tasks, the activity says the same.
    const rebuilt = new DashboardActivity(h.state, h.now);
    expect(rebuilt.throughput(h.now)).toEqual(view.throughput);
    expect(rebuilt.latestFailures()).toEqual(view.failures);
  });

  it('lists workers a page at a time, by name, filtered by name or id, with what each runs', () => {
    const h = new Harness();
    for (const id of ['w3', 'w1', 'w2', 'x9']) h.register(id);
    h.submit(commandSpec({ name: 'lint' }));
    h.assign();
    const ctx = contextOf(h);
    const first = workersPage(ctx, { offset: 0, limit: 2 }, h.now);
    expect(first.matching).toBe(4);
    expect(first.page.map((w) => w.id)).toEqual(['w1', 'w2']);
    expect(workersPage(ctx, { offset: 2, limit: 2 }, h.now).page.map((w) => w.id)).toEqual([
      'w3',
      'x9',
    ]);
    const filtered = workersPage(ctx, { offset: 0, limit: 50, filter: 'W' }, h.now);
    expect(filtered.page.map((w) => w.id)).toEqual(['w1', 'w2', 'w3']);
    const busy = [...first.page, ...workersPage(ctx, { offset: 2, limit: 2 }, h.now).page].find(
      (w) => w.running.length > 0,
    );
    expect(busy?.running).toEqual([{ taskId: 't1', kind: 'command', name: 'lint' }]);
    expect(busy).toMatchObject({
      kind: 'node',
      status: 'connected',
      health: { breaker: 'closed' },
    });
  });

  it('shows the matrix of the latest ended run that has model cells, as runs end and are pruned', () => {
    const h = new Harness();
    const activity = new DashboardActivity(h.state, h.now);
    const end = (id: string, kind: string) => {
      h.run({ type: 'OpenRun', now: h.now, run: { id, suite: 's', meta: {} } });
      const result = { test: `t ${id}`, kind, status: 'passed' as const, durationMs: 1 };
      activity.record(
        h.run({
          type: 'RecordRunResults',
          now: h.now,
          runId: id,
          results: [result],
          end: { status: 'passed' },
        }),
        h.now,
      );
    };
    expect(activity.latestMatrix()).toBeUndefined();
    end('r1', 'model');
    end('r2', 'vitest');
    expect(activity.latestMatrix()).toMatchObject({ runId: 'r1', cells: [{ test: 't r1' }] });
    end('r3', 'model');
    expect(activity.latestMatrix()?.runId).toBe('r3');
    expect(new DashboardActivity(h.state, h.now).latestMatrix()?.runId).toBe('r3');
    // Pruned from the state first, as the pure core does, then told.
    h.state.runs.delete('r3');
    activity.record([{ type: 'RunsPruned', runIds: ['r3'] }], h.now);
    expect(activity.latestMatrix()?.runId).toBe('r1');
  });
});
