import type Database from 'better-sqlite3';
import type { Delivery, Webhook } from '../../protocol/index.js';
import type { CoordinatorState, StateEvent } from '../state/index.js';

type WebhookEvent = Extract<StateEvent, { type: 'WebhookChanged' | 'DeliveriesChanged' }>;

/**
 * Webhooks and their deliveries, each row written whole as it changes (they are small). A
 * delivery keeps the rowid it was queued with, so they load in the order they were queued.
 */
export class WebhookRowWriter {
  private readonly upsertWebhook: Database.Statement;
  private readonly deleteWebhook: Database.Statement;
  private readonly upsertDelivery: Database.Statement;
  private readonly deleteDelivery: Database.Statement;
  /** Changed rows by id, each as it is now (undefined: removed), in the order they changed. */
  private readonly webhooks = new Map<string, Webhook | undefined>();
  private readonly deliveries = new Map<string, Delivery | undefined>();

  constructor(db: Database.Database) {
    this.upsertWebhook = db.prepare(
      `INSERT INTO webhooks (id, webhook) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET webhook = excluded.webhook`,
    );
    this.deleteWebhook = db.prepare('DELETE FROM webhooks WHERE id = ?');
    this.upsertDelivery = db.prepare(
      `INSERT INTO deliveries (id, delivery) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET delivery = excluded.delivery`,
    );
    this.deleteDelivery = db.prepare('DELETE FROM deliveries WHERE id = ?');
  }

  collect(event: WebhookEvent): void {
    if (event.type === 'WebhookChanged') {
      this.webhooks.set(event.id, event.webhook);
      return;
    }
    for (const delivery of event.changed) this.deliveries.set(delivery.id, delivery);
    for (const id of event.removed) this.deliveries.set(id, undefined);
  }

  flush(): void {
    for (const [id, webhook] of this.webhooks) {
      if (webhook === undefined) this.deleteWebhook.run(id);
      else this.upsertWebhook.run(id, JSON.stringify(webhook));
    }
    for (const [id, delivery] of this.deliveries) {
      if (delivery === undefined) this.deleteDelivery.run(id);
      else this.upsertDelivery.run(id, JSON.stringify(delivery));
    }
    this.discard();
  }

  /** Writes every webhook and delivery of `state` afresh (a restored snapshot). */
  addAll(state: CoordinatorState): void {
    for (const [id, webhook] of state.webhooks) this.webhooks.set(id, webhook);
    for (const [id, delivery] of state.deliveries) this.deliveries.set(id, delivery);
  }

  discard(): void {
    this.webhooks.clear();
    this.deliveries.clear();
  }
}

/** Reads webhooks and deliveries into the state, the deliveries in the order they were queued. */
export function loadWebhooks(db: Database.Database, state: CoordinatorState): void {
  for (const text of db.prepare('SELECT webhook FROM webhooks').pluck().iterate()) {
    const webhook = JSON.parse(text as string) as Webhook;
    state.webhooks.set(webhook.id, webhook);
  }
  const deliveries = db.prepare('SELECT delivery FROM deliveries ORDER BY rowid').pluck();
  for (const text of deliveries.iterate()) {
    const delivery = JSON.parse(text as string) as Delivery;
    state.deliveries.set(delivery.id, delivery);
  }
}
