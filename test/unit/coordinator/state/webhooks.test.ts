import { describe, expect, it } from 'vitest';
import { apply, type CoordinatorState } from '../../../../coordinator/state/index.js';
import {
  type DeliveryAttempt,
  MAX_DELIVERIES,
  MAX_NOTIFIED_TESTS,
  MAX_WEBHOOKS,
  type Notification,
  type ResultInput,
  type Webhook,
  type WebhookEvent,
} from '../../../../protocol/index.js';
import { newState } from '../../../support/fixtures.js';

function webhook(id: string, events: WebhookEvent[] = ['run.ended']): Webhook {
  return {
    id,
    url: `http://127.0.0.1/${id}`,
    events,
    format: 'json',
    secret: 'sixteen-chars-or-more',
    createdAt: 1,
  };
}

function add(state: CoordinatorState, hook: Webhook) {
  return apply(state, { type: 'AddWebhook', now: 1, webhook: hook });
}

const passed = (test: string): ResultInput => ({
  test,
  kind: 'vitest',
  status: 'passed',
  durationMs: 1,
});
const failed = (test: string): ResultInput => ({
  test,
  kind: 'vitest',
  status: 'failed',
  durationMs: 1,
  error: 'expected 1 to be 2',
});

/** A run of suite `s` on `commit`, opened and ended with `results` at `now`. */
function run(
  state: CoordinatorState,
  id: string,
  results: ResultInput[],
  options: { commit?: string; now?: number } = {},
) {
  const now = options.now ?? 1_000;
  const meta: Record<string, string> =
    options.commit === undefined ? {} : { commit: options.commit };
  apply(state, { type: 'OpenRun', now, run: { id, suite: 's', meta } });
  const failing = results.some((r) => r.status !== 'passed');
  return apply(state, {
    type: 'RecordRunResults',
    now: now + 1,
    runId: id,
    results,
    end: { status: failing ? 'failed' : 'passed' },
  });
}

const attempt = (state: CoordinatorState, now: number, outcome: DeliveryAttempt) =>
  apply(state, { type: 'RecordDeliveryAttempt', now, attempt: outcome });

const queuedIds = (state: CoordinatorState) => [...state.deliveries.keys()];
const notificationOf = (state: CoordinatorState, id: string): Notification =>
  state.deliveries.get(id)!.notification;

describe('webhooks in the state', () => {
  it('a run that ends is a delivery to each webhook taking run.ended, with its failures', () => {
    const state = newState();
    add(state, webhook('a'));
    add(state, webhook('b', ['failure.new']));
    const events = run(state, 'r1', [passed('x'), failed('y')]);
    expect(events.map((e) => e.type)).toEqual(['RunResultsRecorded', 'DeliveriesChanged']);
    expect(queuedIds(state)).toEqual(['r1:run.ended:a']);
    expect(state.deliveries.get('r1:run.ended:a')).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAt: 1_001,
    });
    expect(notificationOf(state, 'r1:run.ended:a')).toMatchObject({
      event: 'run.ended',
      run: { id: 'r1', status: 'failed', counts: { passed: 1, failed: 1 } },
      failures: [{ test: 'y', status: 'failed', error: 'expected 1 to be 2' }],
      moreFailures: 0,
    });
  });

  it('names at most MAX_NOTIFIED_TESTS failures and counts the rest', () => {
    const state = newState();
    add(state, webhook('a'));
    const many = Array.from({ length: MAX_NOTIFIED_TESTS + 3 }, (_, i) => failed(`t${i}`));
    run(state, 'r1', many);
    const notification = notificationOf(state, 'r1:run.ended:a');
    expect(notification).toMatchObject({ moreFailures: 3 });
    expect(notification.event === 'run.ended' && notification.failures).toHaveLength(
      MAX_NOTIFIED_TESTS,
    );
  });

  it("failure.new names only the tests failing now that passed in the suite's previous run", () => {
    const state = newState();
    add(state, webhook('a', ['failure.new']));
    run(state, 'r1', [passed('x'), failed('y')]);
    expect(queuedIds(state)).toEqual([]);
    run(state, 'r2', [failed('x'), failed('y'), failed('new')]);
    expect(notificationOf(state, 'r2:failure.new:a')).toMatchObject({
      tests: [{ test: 'x' }],
      moreTests: 0,
    });
    run(state, 'r3', [failed('x'), failed('y')]);
    expect(queuedIds(state)).toEqual(['r2:failure.new:a']);
  });

  it('flaky names a test once, on the run that showed it passing and failing on one commit', () => {
    const state = newState();
    add(state, webhook('a', ['flaky']));
    run(state, 'r1', [passed('coin')], { commit: 'c1' });
    run(state, 'r2', [failed('coin')], { commit: 'c2' });
    expect(queuedIds(state)).toEqual([]);
    run(state, 'r3', [passed('coin')], { commit: 'c2' });
    expect(notificationOf(state, 'r3:flaky:a')).toMatchObject({
      flaky: [{ test: 'coin', commits: ['c2'], runs: 2, failures: 1 }],
    });
    run(state, 'r4', [failed('coin')], { commit: 'c2' });
    expect(queuedIds(state)).toEqual(['r3:flaky:a']);
  });

  it('queues nothing (and works nothing out) without webhooks', () => {
    const state = newState();
    expect(run(state, 'r1', [failed('x')]).map((e) => e.type)).toEqual(['RunResultsRecorded']);
    expect(state.deliveries.size).toBe(0);
  });

  it('a delivery is retried when told when, delivered once acknowledged, and then left alone', () => {
    const state = newState();
    add(state, webhook('a'));
    run(state, 'r1', [passed('x')]);
    const id = 'r1:run.ended:a';
    attempt(state, 2_000, { id, ok: false, responseStatus: 500, error: 'HTTP 500', nextAt: 3_000 });
    expect(state.deliveries.get(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAt: 3_000,
      responseStatus: 500,
      error: 'HTTP 500',
    });
    attempt(state, 3_000, { id, ok: true, responseStatus: 204 });
    expect(state.deliveries.get(id)).toMatchObject({
      status: 'delivered',
      attempts: 2,
      responseStatus: 204,
    });
    expect(state.deliveries.get(id)!.error).toBeUndefined();
    expect(attempt(state, 4_000, { id, ok: false, error: 'late', nextAt: 5_000 })).toEqual([]);
    expect(state.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a delivery with no next attempt has failed for good', () => {
    const state = newState();
    add(state, webhook('a'));
    run(state, 'r1', [passed('x')]);
    attempt(state, 2_000, {
      id: 'r1:run.ended:a',
      ok: false,
      error: 'connection refused (ECONNREFUSED)',
    });
    expect(state.deliveries.get('r1:run.ended:a')).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('queueing the same key again adds nothing; a ping goes to the webhook named whatever it takes', () => {
    const state = newState();
    add(state, webhook('a', ['flaky']));
    const ping = {
      type: 'QueueNotifications' as const,
      now: 5,
      key: 'ping-1',
      webhook: 'a',
      notifications: [{ event: 'ping' as const, webhook: 'a' }],
    };
    expect(apply(state, ping)).toHaveLength(1);
    expect(apply(state, ping)).toEqual([]);
    expect(queuedIds(state)).toEqual(['ping-1:ping:a']);
    expect(apply(state, { ...ping, key: 'ping-2', webhook: 'gone' })).toEqual([]);
  });

  it('removing a webhook drops its pending deliveries and keeps its finished ones', () => {
    const state = newState();
    add(state, webhook('a'));
    run(state, 'r1', [passed('x')]);
    attempt(state, 2_000, { id: 'r1:run.ended:a', ok: true, responseStatus: 200 });
    run(state, 'r2', [passed('x')]);
    const events = apply(state, { type: 'RemoveWebhook', now: 3_000, id: 'a' });
    expect(events).toMatchObject([
      { type: 'WebhookChanged', id: 'a', webhook: undefined },
      { type: 'DeliveriesChanged', changed: [], removed: ['r2:run.ended:a'] },
    ]);
    expect(queuedIds(state)).toEqual(['r1:run.ended:a']);
    expect(apply(state, { type: 'RemoveWebhook', now: 3_000, id: 'a' })).toEqual([]);
  });

  it(`keeps at most ${MAX_WEBHOOKS} webhooks and the newest ${MAX_DELIVERIES} deliveries`, () => {
    const state = newState();
    for (let i = 0; i < MAX_WEBHOOKS + 1; i++) add(state, webhook(`w${i}`, []));
    expect(state.webhooks.size).toBe(MAX_WEBHOOKS);
    add(state, webhook('w0'));
    for (let i = 0; i < MAX_DELIVERIES + 2; i++) run(state, `r${i}`, [passed('x')]);
    expect(state.deliveries.size).toBe(MAX_DELIVERIES);
    expect(queuedIds(state)[0]).toBe('r2:run.ended:w0');
  });
});
