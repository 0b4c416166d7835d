import { z } from 'zod';
import { queryWholeNumber } from './rest.js';
import { ResultStatus, RunView } from './runs.js';

/**
 * Webhooks: HTTP POSTs the coordinator sends when a run ends, a test newly fails, a metric
 * regresses or a test turns out flaky. Each is signed, retried with backoff, and recorded.
 */

/** Most webhooks one coordinator keeps. */
export const MAX_WEBHOOKS = 50;
/** Most deliveries kept; beyond, the oldest are dropped (still pending ones as well). */
export const MAX_DELIVERIES = 1_000;
/** Most tests one notification names; the rest are counted. */
export const MAX_NOTIFIED_TESTS = 20;
/** Longest error text a notification carries. */
export const MAX_NOTIFIED_ERROR_CHARS = 500;

/** What a webhook can be told of; `ping` is sent by `dtf webhooks test` only. */
export const WebhookEvent = z.enum(['run.ended', 'failure.new', 'regression', 'flaky']);
export type WebhookEvent = z.infer<typeof WebhookEvent>;
export const NotificationEvent = z.enum([...WebhookEvent.options, 'ping']);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** `json`: the notification as it is; `slack`: a body Slack's incoming webhooks take. */
export const WebhookFormat = z.enum(['json', 'slack']);
export type WebhookFormat = z.infer<typeof WebhookFormat>;

export const WebhookId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a webhook id is up to 64 letters, digits, _ or -');

export const WebhookUrl = z
  .string()
  .max(2048)
  .refine(
    (text) => {
      try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL, e.g. https://hooks.example.com/dtf' },
  );

/** The key deliveries are signed with: long enough to guess no faster than HMAC-SHA256 itself. */
const WebhookSecret = z.string().min(16, 'a secret is at least 16 characters').max(256);

/** `POST /api/webhooks`: without a secret, the coordinator makes one and answers it once. */
export const WebhookRequest = z
  .object({
    url: WebhookUrl,
    events: z.array(WebhookEvent).min(1).max(WebhookEvent.options.length).default(['run.ended']),
    format: WebhookFormat.default('json'),
    secret: WebhookSecret.optional(),
    description: z.string().max(256).optional(),
  })
  .strict();
export type WebhookRequest = z.input<typeof WebhookRequest>;

/** A webhook as the state keeps it (the secret included: deliveries are signed with it). */
export const Webhook = z.object({
  id: WebhookId,
  url: WebhookUrl,
  events: z.array(WebhookEvent),
  format: WebhookFormat,
  secret: WebhookSecret,
  description: z.string().max(256).optional(),
  createdAt: z.number(),
});
export type Webhook = z.infer<typeof Webhook>;

/** A webhook as it is shown: never its secret. */
export const WebhookView = Webhook.omit({ secret: true });
export type WebhookView = z.infer<typeof WebhookView>;

/** A test a notification names: where it ran and, when it failed, why. */
export const NotifiedTest = z.object({
  test: z.string(),
  browser: z.string().optional(),
  backend: z.string().optional(),
  status: ResultStatus.optional(),
  error: z.string().max(MAX_NOTIFIED_ERROR_CHARS).optional(),
});
export type NotifiedTest = z.infer<typeof NotifiedTest>;

/** A change in a metric's series, as a regression notification names it. */
export const NotifiedRegression = z.object({
  test: z.string(),
  browser: z.string().optional(),
  backend: z.string().optional(),
  metric: z.string(),
  /** Median after over median before, minus 1. */
  relativeChange: z.number(),
  medianBefore: z.number(),
  medianAfter: z.number(),
  confidence: z.number(),
  /** The commit range the change happened in: the last run before it and the first after. */
  before: z.object({ runId: z.string(), commit: z.string().optional() }),
  after: z.object({ runId: z.string(), commit: z.string().optional() }),
});
export type NotifiedRegression = z.infer<typeof NotifiedRegression>;

/** A flaky test as a notification names it. */
export const NotifiedFlaky = z.object({
  test: z.string(),
  browser: z.string().optional(),
  backend: z.string().optional(),
  commits: z.array(z.string()),
  flipRate: z.number(),
  runs: z.number(),
  failures: z.number(),
});
export type NotifiedFlaky = z.infer<typeof NotifiedFlaky>;

const tests = z.array(NotifiedTest).max(MAX_NOTIFIED_TESTS);

/** What happened, before it is shaped into a webhook's format. */
export const Notification = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('run.ended'),
    run: RunView,
    failures: tests,
    /** Failures beyond those named. */
    moreFailures: z.number().int().nonnegative(),
  }),
  z.object({
    event: z.literal('failure.new'),
    run: RunView,
    tests,
    moreTests: z.number().int().nonnegative(),
  }),
  z.object({
    event: z.literal('regression'),
    run: RunView,
    regressions: z.array(NotifiedRegression).max(MAX_NOTIFIED_TESTS),
    moreRegressions: z.number().int().nonnegative(),
  }),
  z.object({
    event: z.literal('flaky'),
    run: RunView,
    flaky: z.array(NotifiedFlaky).max(MAX_NOTIFIED_TESTS),
    moreFlaky: z.number().int().nonnegative(),
  }),
  z.object({ event: z.literal('ping'), webhook: WebhookId }),
]);
export type Notification = z.infer<typeof Notification>;

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One notification to one webhook, and how its attempts went. */
export const Delivery = z.object({
  id: z.string().max(256),
  webhook: WebhookId,
  event: NotificationEvent,
  createdAt: z.number(),
  notification: Notification,
  status: DeliveryStatus,
  attempts: z.number().int().nonnegative(),
  /** When a pending delivery is next tried. */
  nextAt: z.number(),
  lastAttemptAt: z.number().optional(),
  /** The receiver's HTTP status on the last attempt, when it answered. */
  responseStatus: z.number().int().optional(),
  /** Why the last attempt failed. */
  error: z.string().max(1024).optional(),
});
export type Delivery = z.infer<typeof Delivery>;

/** A delivery as it is listed: without the notification it carries. */
export const DeliveryView = Delivery.omit({ notification: true });
export type DeliveryView = z.infer<typeof DeliveryView>;

/** The outcome of one attempt at a delivery. */
export const DeliveryAttempt = z.object({
  id: z.string().max(256),
  /** The receiver answered 2xx. */
  ok: z.boolean(),
  responseStatus: z.number().int().optional(),
  error: z.string().max(1024).optional(),
  /** When to try again after a failed attempt; absent: the delivery has failed for good. */
  nextAt: z.number().optional(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const RestWebhooksReply = z.object({
  webhooks: z.array(WebhookView.extend({ lastDelivery: DeliveryView.optional() })),
});
export type RestWebhooksReply = z.infer<typeof RestWebhooksReply>;

/** `POST /api/webhooks`: the webhook with its secret, answered this once. */
export const RestWebhookAddedReply = z.object({ webhook: Webhook });
export type RestWebhookAddedReply = z.infer<typeof RestWebhookAddedReply>;

export const RestWebhookRemovedReply = z.object({ webhook: WebhookView });
export type RestWebhookRemovedReply = z.infer<typeof RestWebhookRemovedReply>;

export const RestDeliveriesReply = z.object({ deliveries: z.array(DeliveryView) });
export type RestDeliveriesReply = z.infer<typeof RestDeliveriesReply>;

export const RestDeliveryReply = z.object({ delivery: DeliveryView });
export type RestDeliveryReply = z.infer<typeof RestDeliveryReply>;

/** `GET /api/webhooks/deliveries`: the newest first. */
export const DeliveriesQuery = z
  .object({
    webhook: WebhookId.optional(),
    limit: queryWholeNumber(1, MAX_DELIVERIES).default(50),
  })
  .strict();
export type DeliveriesQuery = z.infer<typeof DeliveriesQuery>;
