import { randomBytes } from 'node:crypto';
import {
  DeliveriesQuery,
  type Delivery,
  type DeliveryView,
  MAX_WEBHOOKS,
  parseWith,
  type Webhook,
  WebhookRequest,
  type WebhookView,
} from '../../../protocol/index.js';
import type { CoordinatorContext } from '../../context.js';
import { sendRestError, writeJson } from '../errors.js';
import { auditedCall, type RouteCall, type RouteDeps } from '../route.js';

/** How long `POST /api/webhooks/:id/test` waits for its delivery's first attempt. */
const TEST_WAIT_MS = 15_000;

function deliveryView({ notification: _, ...view }: Delivery): DeliveryView {
  return view;
}

function webhookView({ secret: _, ...view }: Webhook): WebhookView {
  return view;
}

function lastDeliveries(ctx: CoordinatorContext): Map<string, Delivery> {
  const last = new Map<string, Delivery>();
  for (const delivery of ctx.state.deliveries.values()) last.set(delivery.webhook, delivery);
  return last;
}

export function listWebhooks({ res }: RouteCall, { ctx }: RouteDeps): void {
  const last = lastDeliveries(ctx);
  const webhooks = [...ctx.state.webhooks.values()].map((webhook) => {
    const delivery = last.get(webhook.id);
    return {
      ...webhookView(webhook),
      ...(delivery === undefined ? {} : { lastDelivery: deliveryView(delivery) }),
    };
  });
  writeJson(res, 200, { webhooks });
}

export function addWebhook(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(WebhookRequest, call.body, 'webhook');
  if (!parsed.ok) {
    sendRestError(call.res, parsed.error.code, parsed.error.message);
    return;
  }
  if (ctx.state.webhooks.size >= MAX_WEBHOOKS) {
    sendRestError(call.res, 'conflict', `at most ${MAX_WEBHOOKS} webhooks: remove one first`);
    return;
  }
  const { secret, description, ...spec } = parsed.message;
  const webhook: Webhook = {
    id: `wh-${randomBytes(4).toString('hex')}`,
    ...spec,
    secret: secret ?? randomBytes(24).toString('base64url'),
    ...(description === undefined ? {} : { description }),
    createdAt: ctx.now(),
  };
  ctx.commit.submit(
    { type: 'AddWebhook', now: ctx.now(), webhook, ...auditedCall(call) },
    () => {
      if (ctx.state.webhooks.has(webhook.id)) writeJson(call.res, 201, { webhook });
      else
        sendRestError(call.res, 'conflict', `at most ${MAX_WEBHOOKS} webhooks: remove one first`);
    },
    (error) => sendRestError(call.res, error.code, error.message),
  );
}

function known(call: RouteCall, ctx: CoordinatorContext): Webhook | undefined {
  const webhook = ctx.state.webhooks.get(call.params.id ?? '');
  if (webhook === undefined) {
    sendRestError(call.res, 'not_found', `no webhook '${(call.params.id ?? '').slice(0, 64)}'`);
  }
  return webhook;
}

export function removeWebhook(call: RouteCall, { ctx }: RouteDeps): void {
  const webhook = known(call, ctx);
  if (webhook === undefined) return;
  ctx.commit.submit(
    { type: 'RemoveWebhook', now: ctx.now(), id: webhook.id, ...auditedCall(call) },
    () => writeJson(call.res, 200, { webhook: webhookView(webhook) }),
    (error) => sendRestError(call.res, error.code, error.message),
  );
}

/** Sends a `ping` to the webhook now and answers how its first attempt went. */
export function testWebhook(call: RouteCall, { ctx, webhooks }: RouteDeps): void {
  const webhook = known(call, ctx);
  if (webhook === undefined) return;
  const now = ctx.now();
  const key = `ping-${now}-${randomBytes(3).toString('hex')}`;
  const id = `${key}:ping:${webhook.id}`;
  ctx.commit.submit(
    {
      type: 'QueueNotifications',
      now,
      key,
      webhook: webhook.id,
      notifications: [{ event: 'ping', webhook: webhook.id }],
    },
    () => {
      void webhooks.nextAttempt(id, TEST_WAIT_MS).then((attempted) => {
        const delivery = attempted ?? ctx.state.deliveries.get(id);
        if (delivery === undefined)
          sendRestError(call.res, 'conflict', `delivery ${id} was dropped`);
        else writeJson(call.res, 200, { delivery: deliveryView(delivery) });
      });
    },
    (error) => sendRestError(call.res, error.code, error.message),
  );
}

export function listDeliveries(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(DeliveriesQuery, call.query, 'deliveries query');
  if (!parsed.ok) {
    sendRestError(call.res, parsed.error.code, parsed.error.message);
    return;
  }
  const { webhook, limit } = parsed.message;
  const all = [...ctx.state.deliveries.values()];
  const deliveries: DeliveryView[] = [];
  for (let i = all.length - 1; i >= 0 && deliveries.length < limit; i--) {
    if (webhook === undefined || all[i]!.webhook === webhook)
      deliveries.push(deliveryView(all[i]!));
  }
  writeJson(call.res, 200, { deliveries });
}
