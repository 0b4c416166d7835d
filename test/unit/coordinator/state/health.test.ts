import { describe, expect, it, vi } from 'vitest';
import { HealthWatch } from '../../../../coordinator/health-watch.js';
import { UnschedulableExplainer } from '../../../../coordinator/queries.js';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import {
  breakerState,
  HEALTH_WINDOW_MS,
  healthConfig,
  healthScore,
  newWorkerHealth,
  type WorkerHealth,
  workerHealthView,
} from '../../../../coordinator/state/index.js';
import type { GroupCommit } from '../../../../coordinator/store/index.js';
import type { TaskResult } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const succeeded: TaskResult = { status: 'succeeded', durationMs: 5 };
const infrastructure: TaskResult = {
  status: 'failed',
  durationMs: 1,
  error: 'spawn failed: spawn true ENOENT',
  failureKind: 'infrastructure',
};
const testFailed: TaskResult = {
  status: 'failed',
  durationMs: 5,
  error: 'exited with code 1',
  failureKind: 'test',
};
const timedOut: TaskResult = { status: 'timed_out', durationMs: 60_000, error: 'timed out' };

/** Retried at once and many times, so every failure is seen by the breaker, not the backoff. */
const retried = () => commandSpec({ retry: { maxRetries: 20, delayMs: 0 } });

function health(h: Harness, workerId: string): WorkerHealth {
  return h.state.workers.get(workerId)!.health;
}

function view(h: Harness, workerId: string) {
  return workerHealthView(h.state, h.state.workers.get(workerId)!, h.now);
}

/** Runs the only queued task on `workerId` and reports `result` for it. */
function runOnce(h: Harness, workerId: string, result: TaskResult): string {
  const placements = h.assign();
  const mine = placements.find((p) => p.workerId === workerId);
  if (mine === undefined)
    throw new Error(`nothing placed on ${workerId}: ${JSON.stringify(placements)}`);
  h.report(mine.taskId, result);
  return mine.taskId;
}

function heartbeat(h: Harness, workerId: string, afterMs: number): void {
  h.now += afterMs;
  h.run({ type: 'Heartbeat', now: h.now, workerId });
}

describe('health score', () => {
  const score = (record: WorkerHealth, now: number) => healthScore(record, now, 1_000);

  it('is 100 for a new worker', () => {
    expect(score(newWorkerHealth(), 0)).toBe(100);
  });

  it('costs 15 per infrastructure failure and 10 per timeout, fading over ten minutes', () => {
    const record = newWorkerHealth();
    record.recent.push({ at: 0, kind: 'infrastructure', taskId: 't' });
    expect(score(record, 0)).toBe(85);
    expect(score(record, HEALTH_WINDOW_MS / 2)).toBe(93); // 100 − 7.5, rounded
    expect(score(record, HEALTH_WINDOW_MS)).toBe(100);
    record.recent.push({ at: 0, kind: 'timeout', taskId: 't' });
    expect(score(record, 0)).toBe(75);
    record.recent.push(
      { at: 0, kind: 'infrastructure', taskId: 't' },
      { at: 0, kind: 'infrastructure', taskId: 't' },
    );
    expect(score(record, 0)).toBe(45);
  });

  it('never goes below 0', () => {
    const record = newWorkerHealth();
    for (let i = 0; i < 10; i++) record.recent.push({ at: 0, kind: 'infrastructure', taskId: 't' });
    expect(score(record, 0)).toBe(0);
  });

  it('charges heartbeat jitter, at most 20 points', () => {
    const record = newWorkerHealth();
    record.jitterMs = 100; // a tenth of the interval: 50 × 0.1 = 5 points
    expect(score(record, 0)).toBe(95);
    record.jitterMs = 1_000;
    expect(score(record, 0)).toBe(80);
  });

  it('measures jitter from the intervals between heartbeats', () => {
    const h = new Harness();
    h.register('steady');
    h.register('erratic');
    const start = h.now;
    for (let i = 1; i <= 20; i++) {
      h.run({ type: 'Heartbeat', now: start + i * 1_000, workerId: 'steady' });
    }
    // Intervals alternating 400 and 1 600 ms stray 600 ms from the configured 1 000 ms.
    let at = start;
    for (let i = 0; i < 20; i++) {
      at += i % 2 === 0 ? 400 : 1_600;
      h.run({ type: 'Heartbeat', now: at, workerId: 'erratic' });
    }
    h.now = start + 20_000;
    expect(health(h, 'steady').jitterMs).toBe(0);
    expect(view(h, 'steady').score).toBe(100);
    expect(health(h, 'erratic').jitterMs).toBeGreaterThan(550);
    expect(health(h, 'erratic').jitterMs).toBeLessThan(600);
    expect(view(h, 'erratic').score).toBe(80); // 50 × 0.59 = 29.5, capped at 20
  });

  it('does not count a silence longer than the heartbeat allowance as jitter', () => {
    const h = new Harness();
    h.register('w');
    heartbeat(h, 'w', 1_000);
    heartbeat(h, 'w', 60_000); // reconnected after a minute
    expect(health(h, 'w').jitterMs).toBe(0);
    heartbeat(h, 'w', 1_500);
    expect(health(h, 'w').jitterMs).toBe(100); // 0.2 × 500
  });
});

describe('circuit breaker', () => {
  it('opens after 3 consecutive infrastructure failures and then places nothing on the worker', () => {
    const h = new Harness();
    h.submit(retried(), retried());
    h.register('w');
    runOnce(h, 'w', infrastructure);
    runOnce(h, 'w', infrastructure);
    expect(view(h, 'w')).toEqual({ score: 70, breaker: 'closed', consecutiveFailures: 2 });
    runOnce(h, 'w', infrastructure);
    expect(view(h, 'w')).toEqual({
      score: 55,
      breaker: 'open',
      consecutiveFailures: 3,
      openedAt: h.now,
    });
    expect(schedule(h.state)).toEqual([]);
    const [waiting] = h.submit(retried());
    expect(new UnschedulableExplainer(h.state).explain(h.task(waiting!))).toBe(
      'waiting: every worker that could run it is held back (w: its circuit breaker is open)',
    );
    h.advance(299_999);
    expect(schedule(h.state)).toEqual([]);
  });

  it('blames a task that fails on two workers, not the workers: charges withdrawn, breaker closed', () => {
    const h = new Harness({ preemption: false });
    const [broken] = h.submit(retried());
    h.register('a');
    // Worker a fails three times in a row (the task is retried there while it is alone)...
    for (let i = 0; i < 3; i++) runOnce(h, 'a', infrastructure);
    expect(view(h, 'a')).toMatchObject({ breaker: 'open', consecutiveFailures: 3 });
    // ... then the same task fails the same way on b: the task is the cause.
    h.register('b');
    expect(runOnce(h, 'b', infrastructure)).toBe(broken);
    expect(view(h, 'a')).toEqual({ score: 100, breaker: 'closed', consecutiveFailures: 0 });
    expect(view(h, 'b')).toEqual({ score: 100, breaker: 'closed', consecutiveFailures: 0 });
    // Its later failures count against nobody; a good task still runs on a.
    runOnce(h, 'a', infrastructure);
    expect(view(h, 'a').consecutiveFailures).toBe(0);
  });

  it('sends a retry to a worker it has not failed on yet, when one has room', () => {
    const h = new Harness();
    const [id] = h.submit(retried());
    h.register('a', { slots: 4 });
    h.register('b', { slots: 1 });
    expect(runOnce(h, 'a', infrastructure)).toBe(id);
    expect(h.assign()).toEqual([{ taskId: id, workerId: 'b' }]);
  });

  it('does not open for tests that ran and failed', () => {
    const h = new Harness();
    h.submit(
      ...Array.from({ length: 5 }, () =>
        commandSpec({ retry: { retryFailures: true, delayMs: 0 } }),
      ),
    );
    h.register('w');
    for (let i = 0; i < 5; i++) runOnce(h, 'w', testFailed);
    expect(view(h, 'w')).toEqual({ score: 100, breaker: 'closed', consecutiveFailures: 0 });
    expect(schedule(h.state)).toHaveLength(1);
  });

  it('counts only consecutive failures: a success in between resets the count', () => {
    const h = new Harness();
    h.submit(...Array.from({ length: 3 }, retried));
    h.register('w');
    runOnce(h, 'w', infrastructure);
    runOnce(h, 'w', infrastructure);
    runOnce(h, 'w', succeeded);
    runOnce(h, 'w', infrastructure);
    expect(view(h, 'w')).toMatchObject({ breaker: 'closed', consecutiveFailures: 1 });
  });

  it('counts timeouts, reported or expired by the coordinator, as infrastructure failures', () => {
    const h = new Harness();
    const [id] = h.submit(retried());
    h.register('w');
    runOnce(h, 'w', timedOut);
    runOnce(h, 'w', timedOut);
    h.assign();
    h.run({ type: 'ExpireLease', now: h.now, lease: h.lease(id!), reason: 'lease expired' });
    expect(view(h, 'w')).toMatchObject({ breaker: 'open', consecutiveFailures: 3, score: 70 });
    expect(schedule(h.state)).toEqual([]);
  });

  it('is half-open after the cooldown and lets exactly one probe through', () => {
    const h = new Harness();
    h.submit(...Array.from({ length: 4 }, retried));
    h.register('w', { slots: 4 });
    const first = h.assign().map((p) => p.taskId);
    expect(first).toHaveLength(4);
    for (const id of first.slice(0, 3)) h.report(id, infrastructure);
    expect(view(h, 'w')).toMatchObject({ breaker: 'open', consecutiveFailures: 3 });
    // An attempt that was running when the breaker opened closes nothing by succeeding.
    h.report(first[3]!, succeeded);
    expect(view(h, 'w')).toMatchObject({ breaker: 'open', consecutiveFailures: 3 });

    h.submit(...Array.from({ length: 10 }, retried));
    h.advance(300_000);
    expect(view(h, 'w').breaker).toBe('half-open');
    const probe = h.assign();
    expect(probe).toHaveLength(1);
    expect(schedule(h.state)).toEqual([]);
    // Even placements made without the scheduler get no second lease while half-open.
    const queued = [...h.state.tasks.values()].find((t) => t.state === 'queued')!;
    h.run({ type: 'AssignTasks', now: h.now, placements: [{ taskId: queued.id, workerId: 'w' }] });
    expect(h.state.workers.get('w')!.running.size).toBe(1);

    h.report(probe[0]!.taskId, succeeded);
    // The success closes the breaker and clears the failures that opened it.
    expect(view(h, 'w')).toEqual({ score: 100, breaker: 'closed', consecutiveFailures: 0 });
    expect(h.assign()).toHaveLength(4);
  });

  it('opens again when the probe fails', () => {
    const h = new Harness();
    h.submit(...Array.from({ length: 5 }, retried));
    h.register('w');
    for (let i = 0; i < 3; i++) runOnce(h, 'w', infrastructure);
    h.advance(300_000);
    runOnce(h, 'w', infrastructure);
    expect(view(h, 'w')).toMatchObject({
      breaker: 'open',
      consecutiveFailures: 4,
      openedAt: h.now,
    });
    expect(schedule(h.state)).toEqual([]);
    h.advance(300_000);
    expect(h.assign()).toHaveLength(1);
  });

  it('takes its threshold, failure count and cooldown from the state config', () => {
    const h = new Harness();
    Object.assign(h.state.config, { breakerFailures: 2, breakerCooldownMs: 10_000 });
    h.submit(...Array.from({ length: 5 }, retried));
    h.register('w');
    runOnce(h, 'w', infrastructure);
    runOnce(h, 'w', infrastructure);
    expect(view(h, 'w').breaker).toBe('open');
    h.advance(10_000);
    expect(view(h, 'w').breaker).toBe('half-open');
    expect(breakerState(health(h, 'w'), h.now, healthConfig(h.state.config))).toBe('half-open');
    runOnce(h, 'w', succeeded);
    expect(view(h, 'w').breaker).toBe('closed');

    h.state.config.healthThreshold = 90;
    runOnce(h, 'w', testFailed); // neutral
    expect(h.assign()).toHaveLength(1);
    const [running] = h.state.workers.get('w')!.running;
    h.report(running!, infrastructure); // 85 < 90
    expect(schedule(h.state)).toEqual([]);
  });
});

describe('scheduling by health', () => {
  it('sends every task to the healthy worker once the broken one is isolated', () => {
    const h = new Harness();
    const ids = h.submit(...Array.from({ length: 12 }, retried));
    h.register('broken');
    h.register('healthy', { slots: 2 });
    let failures = 0;
    for (let round = 0; round < 20 && ids.some((id) => h.task(id).state !== 'succeeded'); round++) {
      for (const { taskId, workerId } of h.assign()) {
        if (workerId === 'broken') failures++;
        h.report(taskId, workerId === 'broken' ? infrastructure : succeeded);
      }
    }
    expect(failures).toBe(3);
    expect(ids.every((id) => h.task(id).state === 'succeeded')).toBe(true);
    expect(ids.every((id) => h.task(id).workerId === 'healthy')).toBe(true);
    expect(view(h, 'broken').breaker).toBe('open');
  });

  it('gives a low-score worker no new tasks until its failures fade', () => {
    const h = new Harness();
    h.submit(...Array.from({ length: 10 }, retried));
    h.register('w');
    // Never three in a row, so the breaker stays closed, but the score falls to 55.
    for (const result of [infrastructure, succeeded, infrastructure, succeeded, infrastructure]) {
      runOnce(h, 'w', result);
    }
    expect(view(h, 'w')).toMatchObject({ breaker: 'closed', score: 55, consecutiveFailures: 1 });
    expect(schedule(h.state)).toEqual([]);
    // 45 points of penalty fade to 30 (score 70, the threshold) after a third of the window.
    h.advance(HEALTH_WINDOW_MS / 3 - 10_000);
    expect(view(h, 'w').score).toBe(69);
    expect(schedule(h.state)).toEqual([]);
    h.advance(10_000);
    expect(view(h, 'w').score).toBe(70);
    expect(schedule(h.state)).toHaveLength(1);
  });

  it('does not isolate a worker whose tasks were lost with it or cancelled', () => {
    const h = new Harness();
    const ids = h.submit(retried(), retried(), retried(), retried());
    h.register('w', { slots: 4 });
    h.assign();
    h.run({ type: 'CancelTasks', now: h.now, taskIds: [ids[0]!], reason: 'user' });
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'w', reason: 'gone' });
    expect(view(h, 'w')).toEqual({ score: 100, breaker: 'closed', consecutiveFailures: 0 });
  });
});

describe('HealthWatch', () => {
  it('ticks once when a worker held back by its health may take tasks again', () => {
    const h = new Harness();
    h.submit(...Array.from({ length: 4 }, retried));
    h.register('w');
    for (let i = 0; i < 3; i++) runOnce(h, 'w', infrastructure);
    const submit = vi.fn();
    const watch = new HealthWatch(h.state, { submit } as unknown as GroupCommit);
    watch.check(h.now);
    watch.check(h.now + 299_999);
    expect(submit).not.toHaveBeenCalled();
    watch.check(h.now + 300_000);
    expect(submit).toHaveBeenCalledExactlyOnceWith({ type: 'Tick', now: h.now + 300_000 });
    watch.check(h.now + 300_001);
    expect(submit).toHaveBeenCalledTimes(1);
  });
});
