import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../../client/index.js';
import type { CoordinatorContext } from '../../../../coordinator/context.js';
import { deliveryBody } from '../../../../coordinator/webhooks/bodies.js';
import {
  RETRY_DELAYS_MS,
  retryAt,
  WebhookDispatcher,
} from '../../../../coordinator/webhooks/dispatcher.js';
import type { SendOutcome } from '../../../../coordinator/webhooks/send.js';
import type { Delivery } from '../../../../protocol/index.js';
import { immediateCommits, newState } from '../../../support/fixtures.js';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
  answer: (outcome: SendOutcome) => void;
}

/** A dispatcher over a real state whose commits apply at once, and a send the test answers. */
function harness(leading = true) {
  const state = newState();
  let now = 10_000;
  const sent: Sent[] = [];
  let dispatcher: WebhookDispatcher;
  const commit = immediateCommits(state, (events) => dispatcher.onCommitted(events));
  const ctx = {
    state,
    commit,
    cluster: leading ? undefined : { isLeader: false },
    logger: pino({ level: 'silent' }),
    now: () => now,
  } as unknown as CoordinatorContext;
  dispatcher = new WebhookDispatcher(ctx, (url, headers, body) => {
    return new Promise((answer) => sent.push({ url, headers, body, answer }));
  });
  commit.submit({
    type: 'AddWebhook',
    now,
    webhook: {
      id: 'a',
      url: 'http://receiver/hook',
      events: ['run.ended'],
      format: 'json',
      secret: 'sixteen-chars-or-more',
      createdAt: now,
    },
  });
  const endRun = (id: string) => {
    commit.submit({ type: 'OpenRun', now, run: { id, suite: 's', meta: {} } });
    commit.submit({
      type: 'RecordRunResults',
      now,
      runId: id,
      results: [],
      end: { status: 'passed' },
    });
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    state,
    sent,
    dispatcher,
    endRun,
    settle,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe('the webhook dispatcher', () => {
  it('sends a new delivery at once, signed, and one attempt at a time', async () => {
    const h = harness();
    h.endRun('r1');
    await h.settle();
    expect(h.sent).toHaveLength(1);
    const [first] = h.sent;
    expect(first!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-dtf-event': 'run.ended',
      'x-dtf-delivery': 'r1:run.ended:a',
      'x-dtf-timestamp': '10',
    });
    expect(
      verifyWebhookSignature(
        'sixteen-chars-or-more',
        10,
        first!.body,
        first!.headers['x-dtf-signature']!,
      ),
    ).toBe(true);
    // Due, but in flight: not sent again.
    h.endRun('r2');
    await h.settle();
    expect(h.sent.map((s) => s.headers['x-dtf-delivery'])).toEqual([
      'r1:run.ended:a',
      'r2:run.ended:a',
    ]);
  });

  it('a failed attempt is tried again after the first backoff, and an acknowledged one never again', async () => {
    const h = harness();
    h.endRun('r1');
    await h.settle();
    h.sent[0]!.answer({ ok: false, responseStatus: 500, error: 'HTTP 500' });
    await h.settle();
    const delivery = h.state.deliveries.get('r1:run.ended:a')!;
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAt: h.now() + RETRY_DELAYS_MS[0]!,
    });
    h.advance(RETRY_DELAYS_MS[0]!);
    h.endRun('r2');
    await h.settle();
    expect(h.sent.map((s) => s.headers['x-dtf-delivery'])).toEqual([
      'r1:run.ended:a',
      'r1:run.ended:a',
      'r2:run.ended:a',
    ]);
    const attempted = h.dispatcher.nextAttempt('r1:run.ended:a', 1_000);
    h.sent[1]!.answer({ ok: true, responseStatus: 200 });
    expect(await attempted).toMatchObject({ status: 'delivered', attempts: 2 });
    h.advance(3_600_000);
    h.endRun('r3');
    await h.settle();
    expect(h.sent.filter((s) => s.headers['x-dtf-delivery'] === 'r1:run.ended:a')).toHaveLength(2);
  });

  it('a follower sends nothing', async () => {
    const h = harness(false);
    h.endRun('r1');
    await h.settle();
    expect(h.sent).toEqual([]);
  });

  it('gives up after the last backoff', () => {
    expect(retryAt(1, 0)).toBe(RETRY_DELAYS_MS[0]);
    expect(retryAt(RETRY_DELAYS_MS.length, 0)).toBe(RETRY_DELAYS_MS.at(-1));
    expect(retryAt(RETRY_DELAYS_MS.length + 1, 0)).toBeUndefined();
  });
});

describe('delivery bodies', () => {
  const delivery: Delivery = {
    id: 'r9:failure.new:a',
    webhook: 'a',
    event: 'failure.new',
    createdAt: Date.UTC(2026, 11, 6, 8, 30),
    status: 'pending',
    attempts: 0,
    nextAt: 0,
    notification: {
      event: 'failure.new',
      run: {
        id: 'r9',
        suite: 'models',
        meta: { commit: '0123456789abcdef', branch: 'main' },
        status: 'failed',
        startedAt: 0,
        counts: { results: 3, passed: 1, failed: 2, skipped: 0, errors: 0 },
      },
      tests: [
        {
          test: 'model <mlp>',
          browser: 'chromium',
          backend: 'webgpu',
          error: 'max abs error 0.3 > 1e-3\nat line 2',
        },
      ],
      moreTests: 4,
    },
  };

  it('json: the notification with the delivery, its webhook and time', () => {
    expect(JSON.parse(deliveryBody('json', delivery))).toEqual({
      delivery: 'r9:failure.new:a',
      webhook: 'a',
      at: '2026-12-06T08:30:00.000Z',
      ...delivery.notification,
    });
  });

  it("slack: a summary and a line per test, Slack's special characters escaped", () => {
    expect(JSON.parse(deliveryBody('slack', delivery))).toEqual({
      text: 'DTF: 5 test(s) failing that passed in the previous run of models',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'DTF: 5 test(s) failing that passed in the previous run of models',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '• model &lt;mlp&gt; (chromium · webgpu): max abs error 0.3 &gt; 1e-3\n… and 4 more',
          },
        },
      ],
    });
  });
});
