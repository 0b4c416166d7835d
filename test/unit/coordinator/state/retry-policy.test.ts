import { describe, expect, it } from 'vitest';
import { expiredLeases } from '../../../../coordinator/scheduler/index.js';
import { attemptTimeoutMs } from '../../../../coordinator/state/index.js';
import type { TaskResult } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const ok: TaskResult = { status: 'succeeded', durationMs: 5 };
const timedOut: TaskResult = { status: 'timed_out', durationMs: 100, error: 'timed out' };
const assertionFailed: TaskResult = { status: 'failed', durationMs: 5, error: 'expected 1' };
const couldNotStart: TaskResult = {
  status: 'failed',
  durationMs: 1,
  error: 'spawn sh ENOENT',
  failureKind: 'infrastructure',
};

describe('retry policy', () => {
  it('retries an infrastructure failure after 1 s, then 2 s, then 4 s by default', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec());
    for (const delayMs of [1_000, 2_000, 4_000]) {
      // A worker of its own each time: three failures in a row would open one's breaker.
      h.register(`w${delayMs}`, { slots: 1 });
      expect(h.assign()).toHaveLength(1);
      h.report(id!, couldNotStart);
      expect(h.task(id!)).toMatchObject({ state: 'queued', notBefore: h.now + delayMs });
      h.advance(delayMs - 1);
      expect(h.assign()).toEqual([]);
      h.advance(1);
    }
    h.register('healthy', { slots: 1 });
    h.assign();
    h.report(id!, ok);
    expect(h.task(id!)).toMatchObject({ state: 'succeeded', attempt: 4, failures: 3 });
  });

  it('gives every retry a timeout 1.5 times the one before', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec({ timeoutMs: 1_000, retry: { delayMs: 0 } }));
    const timeouts: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      h.register(`w${attempt}`, { slots: 1 });
      h.assign();
      timeouts.push(attemptTimeoutMs(h.task(id!)));
      h.report(id!, timedOut);
      h.advance(0);
    }
    expect(timeouts).toEqual([1_000, 1_500, 2_250, 3_375]);
  });

  it('fails for good after the last retry, with every attempt in the history', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec({ retry: { maxRetries: 2, delayMs: 0 } }));
    for (let attempt = 1; attempt <= 3; attempt++) {
      h.register(`w${attempt}`, { slots: 1 });
      h.assign();
      h.report(id!, timedOut);
      h.advance(0);
    }
    const task = h.task(id!);
    expect(task).toMatchObject({ state: 'timed_out', attempt: 3, failures: 3 });
    expect(task.result?.error).toBe('gave up after 3 attempts; last: timed out');
    expect(task.history.map((a) => [a.attempt, a.reason])).toEqual([
      [1, 'timed out'],
      [2, 'timed out'],
      [3, 'timed out'],
    ]);
    expect(h.assign()).toEqual([]);
  });

  it('does not retry a test that ran and failed, unless it may be flaky', () => {
    const h = new Harness();
    const [plain, flaky] = h.submit(
      commandSpec({ retry: { delayMs: 0 } }),
      commandSpec({ retry: { delayMs: 0, retryFailures: true } }),
    );
    h.register('w', { slots: 2 });
    h.assign();
    h.report(plain!, assertionFailed);
    h.report(flaky!, assertionFailed);
    expect(h.task(plain!)).toMatchObject({ state: 'failed', attempt: 1, result: assertionFailed });
    expect(h.task(flaky!)).toMatchObject({ state: 'queued', failures: 1 });
    h.advance(0);
    h.assign();
    h.report(flaky!, ok);
    expect(h.task(flaky!)).toMatchObject({ state: 'succeeded', attempt: 2 });
  });

  it('retries timeouts and infrastructure failures but not unsupported results', () => {
    const h = new Harness();
    const [a, b, c] = h.submit(commandSpec(), commandSpec(), commandSpec());
    h.register('w', { slots: 3 });
    h.assign();
    h.report(a!, timedOut);
    h.report(b!, couldNotStart);
    h.report(c!, { status: 'unsupported', durationMs: 0, error: 'no WebGPU' });
    expect([a, b, c].map((id) => h.task(id!).state)).toEqual(['queued', 'queued', 'unsupported']);
  });

  it('expires a lease the worker keeps past the timeout and retries the task', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec({ timeoutMs: 10_000, retry: { delayMs: 0 } }));
    h.register('w', { slots: 1 });
    h.assign();
    // Grace: twice the heartbeat allowance (3 × 1 s) plus 1 s.
    expect(expiredLeases(h.state, h.now + 10_000 + 7_000)).toEqual([]);
    const [expire] = expiredLeases(h.state, h.now + 10_000 + 7_001);
    expect(expire).toMatchObject({ type: 'ExpireLease', lease: h.lease(id!) });
    const events = h.run(expire!);
    expect(events.map((e) => e.type)).toEqual(['LeaseRevoked', 'TaskRequeued']);
    expect(h.task(id!)).toMatchObject({ state: 'queued', failures: 1 });
    expect(h.task(id!).history[0]!.reason).toMatch(/^lease expired: no result 17001 ms after/);
    // A stale expiry (the task moved on) changes nothing.
    expect(h.run(expire!)).toEqual([]);
  });
});
