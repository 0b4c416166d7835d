import { webhookSignature } from '../../client/index.js';
import type { Delivery } from '../../protocol/index.js';
import type { CoordinatorContext } from '../context.js';
import type { StateEvent } from '../state/index.js';
import { deliveryBody } from './bodies.js';
import { postWebhook, type Send } from './send.js';

/** The waits between attempts at a delivery: 7 attempts over about 40 minutes, then it fails. */
export const RETRY_DELAYS_MS: readonly number[] = [
  1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000,
];
/** Deliveries sent at once; the others wait their turn. */
const MAX_IN_FLIGHT = 4;
/** How often due deliveries are looked for (a new one is sent at once). */
const SWEEP_MS = 1_000;

/** When to try a delivery again after its attempt number `attempts` failed; none: never. */
export function retryAt(attempts: number, now: number): number | undefined {
  const delay = RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? undefined : now + delay;
}

/**
 * Sends the pending deliveries that are due, on the leader only (alone, a coordinator leads),
 * and commits how each attempt went. A delivery is sent by one attempt at a time, and not again
 * once an attempt is committed as delivered; a leader that falls between a receiver's answer
 * and that commit leaves the delivery pending for the next one, which sends it again with the
 * same `X-DTF-Delivery` id (receivers that must not act twice dedupe on it).
 */
export class WebhookDispatcher {
  private readonly inFlight = new Set<string>();
  private readonly attemptWaiters = new Map<string, Array<(delivery: Delivery) => void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: CoordinatorContext,
    private readonly send: Send = postWebhook,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
    this.sweep();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Sends new deliveries at once, and tells those waiting on an attempt how it went. */
  onCommitted(events: readonly StateEvent[]): void {
    let queued = false;
    for (const event of events) {
      if (event.type !== 'DeliveriesChanged') continue;
      for (const delivery of event.changed) {
        if (delivery.attempts === 0) queued = true;
        const waiters = this.attemptWaiters.get(delivery.id);
        if (waiters === undefined || delivery.attempts === 0) continue;
        this.attemptWaiters.delete(delivery.id);
        for (const waiter of waiters) waiter(delivery);
      }
    }
    if (queued) setImmediate(() => this.sweep());
  }

  /** Resolves with the delivery once its next attempt is committed (undefined after `ms`). */
  nextAttempt(id: string, ms: number): Promise<Delivery | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const waiters = this.attemptWaiters.get(id)?.filter((w) => w !== done);
        if (waiters === undefined || waiters.length === 0) this.attemptWaiters.delete(id);
        else this.attemptWaiters.set(id, waiters);
        resolve(undefined);
      }, ms);
      const done = (delivery: Delivery) => {
        clearTimeout(timer);
        resolve(delivery);
      };
      this.attemptWaiters.set(id, [...(this.attemptWaiters.get(id) ?? []), done]);
    });
  }

  private leading(): boolean {
    return this.ctx.cluster === undefined || this.ctx.cluster.isLeader;
  }

  private sweep(): void {
    if (!this.leading()) return;
    const now = this.ctx.now();
    for (const delivery of this.ctx.state.deliveries.values()) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return;
      if (delivery.status !== 'pending' || delivery.nextAt > now) continue;
      if (this.inFlight.has(delivery.id)) continue;
      this.inFlight.add(delivery.id);
      void this.attempt(delivery).finally(() => this.inFlight.delete(delivery.id));
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const webhook = this.ctx.state.webhooks.get(delivery.webhook);
    if (webhook === undefined) return;
    const body = deliveryBody(webhook.format, delivery);
    const timestamp = Math.floor(this.ctx.now() / 1000);
    const outcome = await this.send(
      webhook.url,
      {
        'content-type': 'application/json',
        'user-agent': 'dtf-webhooks',
        'x-dtf-event': delivery.event,
        'x-dtf-delivery': delivery.id,
        'x-dtf-timestamp': String(timestamp),
        'x-dtf-signature': webhookSignature(webhook.secret, timestamp, body),
      },
      body,
    );
    const now = this.ctx.now();
    const nextAt = outcome.ok ? undefined : retryAt(delivery.attempts + 1, now);
    if (!outcome.ok) {
      this.ctx.logger.warn(
        { delivery: delivery.id, url: webhook.url, error: outcome.error, retryAt: nextAt },
        'a webhook delivery failed',
      );
    }
    await new Promise<void>((resolve) => {
      this.ctx.commit.submit(
        {
          type: 'RecordDeliveryAttempt',
          now,
          attempt: {
            id: delivery.id,
            ok: outcome.ok,
            ...(outcome.responseStatus === undefined
              ? {}
              : { responseStatus: outcome.responseStatus }),
            ...(outcome.error === undefined ? {} : { error: outcome.error }),
            ...(nextAt === undefined ? {} : { nextAt }),
          },
        },
        () => resolve(),
        () => resolve(),
      );
    });
  }
}
