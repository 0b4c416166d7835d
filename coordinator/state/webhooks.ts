import {
  type Delivery,
  MAX_DELIVERIES,
  MAX_WEBHOOKS,
  type Notification,
  type Webhook,
} from '../../protocol/index.js';
import type { Command } from './commands.js';
import type { StateEvent } from './events.js';
import type { CoordinatorState } from './types.js';

type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;

/** At most `MAX_WEBHOOKS`: one more is not added (the edge refuses it first, saying so). */
export function addWebhook(
  state: CoordinatorState,
  command: CommandOf<'AddWebhook'>,
): StateEvent[] {
  const { webhook } = command;
  if (!state.webhooks.has(webhook.id) && state.webhooks.size >= MAX_WEBHOOKS) return [];
  state.webhooks.set(webhook.id, webhook);
  return [{ type: 'WebhookChanged', id: webhook.id, webhook }];
}

/** Its finished deliveries stay on record; those still pending go with it. */
export function removeWebhook(
  state: CoordinatorState,
  command: CommandOf<'RemoveWebhook'>,
): StateEvent[] {
  if (!state.webhooks.delete(command.id)) return [];
  const removed: string[] = [];
  for (const delivery of state.deliveries.values()) {
    if (delivery.webhook === command.id && delivery.status === 'pending') removed.push(delivery.id);
  }
  for (const id of removed) state.deliveries.delete(id);
  return [
    { type: 'WebhookChanged', id: command.id, webhook: undefined },
    ...(removed.length === 0 ? [] : [{ type: 'DeliveriesChanged' as const, changed: [], removed }]),
  ];
}

/**
 * Makes each notification a delivery to every webhook that takes its event (to `only`, when
 * given, whatever it takes), `${key}:${event}:${webhook}` by id: queueing again adds nothing.
 * The oldest deliveries beyond `MAX_DELIVERIES` are dropped.
 */
export function queueNotifications(
  state: CoordinatorState,
  now: number,
  key: string,
  notifications: readonly Notification[],
  only?: string,
): StateEvent[] {
  const changed: Delivery[] = [];
  for (const notification of notifications) {
    for (const webhook of targets(state, notification, only)) {
      const id = `${key}:${notification.event}:${webhook.id}`;
      if (state.deliveries.has(id)) continue;
      const delivery: Delivery = {
        id,
        webhook: webhook.id,
        event: notification.event,
        createdAt: now,
        notification,
        status: 'pending',
        attempts: 0,
        nextAt: now,
      };
      state.deliveries.set(id, delivery);
      changed.push(delivery);
    }
  }
  if (changed.length === 0) return [];
  const removed: string[] = [];
  for (const id of state.deliveries.keys()) {
    if (state.deliveries.size - removed.length <= MAX_DELIVERIES) break;
    removed.push(id);
  }
  for (const id of removed) state.deliveries.delete(id);
  return [
    {
      type: 'DeliveriesChanged',
      changed: changed.filter((d) => state.deliveries.has(d.id)),
      removed,
    },
  ];
}

function targets(state: CoordinatorState, notification: Notification, only?: string): Webhook[] {
  if (only !== undefined) {
    const webhook = state.webhooks.get(only);
    return webhook === undefined ? [] : [webhook];
  }
  if (notification.event === 'ping') return [];
  const { event } = notification;
  return [...state.webhooks.values()].filter((w) => w.events.includes(event));
}

/** Whether any webhook takes `event`: what is not wanted is not worked out. */
export function wantsEvent(state: CoordinatorState, event: Webhook['events'][number]): boolean {
  for (const webhook of state.webhooks.values()) if (webhook.events.includes(event)) return true;
  return false;
}

/** An attempt on a delivery that is no longer pending (or gone) changes nothing. */
export function recordDeliveryAttempt(
  state: CoordinatorState,
  command: CommandOf<'RecordDeliveryAttempt'>,
): StateEvent[] {
  const { attempt } = command;
  const delivery = state.deliveries.get(attempt.id);
  if (delivery === undefined || delivery.status !== 'pending') return [];
  delivery.attempts++;
  delivery.lastAttemptAt = command.now;
  if (attempt.responseStatus === undefined) delete delivery.responseStatus;
  else delivery.responseStatus = attempt.responseStatus;
  if (attempt.ok) {
    delivery.status = 'delivered';
    delete delivery.error;
  } else {
    delivery.error = attempt.error ?? 'failed';
    if (attempt.nextAt === undefined) delivery.status = 'failed';
    else delivery.nextAt = attempt.nextAt;
  }
  return [{ type: 'DeliveriesChanged', changed: [delivery], removed: [] }];
}
