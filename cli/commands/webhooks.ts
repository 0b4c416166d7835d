import type { Command } from 'commander';
import type { ZodType } from 'zod';
import {
  DeliveriesQuery,
  type DeliveryView,
  parseWith,
  RestDeliveriesReply,
  RestDeliveryReply,
  RestWebhookAddedReply,
  RestWebhookRemovedReply,
  RestWebhooksReply,
  WebhookEvent,
  WebhookRequest,
} from '../../protocol/index.js';
import { coordinatorAccess, restGetChecked, restPostChecked } from '../connection.js';
import { formatTable } from '../format/table.js';
import { collectRepeated } from '../options/repeated.js';
import { printJson, printLine } from '../output.js';
import { UsageError } from '../usage-error.js';
import { formatInstant, queryString } from './runs.js';

interface AddOptions {
  event?: string[];
  format?: string;
  secret?: string;
  description?: string;
  json?: boolean;
}

function attemptOutcome(delivery: DeliveryView): string {
  const http = delivery.responseStatus === undefined ? '' : `HTTP ${delivery.responseStatus}`;
  if (delivery.status === 'delivered') return `delivered (${http})`;
  const why = delivery.error ?? http;
  if (delivery.status === 'failed') return `failed after ${delivery.attempts} attempt(s): ${why}`;
  if (delivery.attempts === 0) return 'pending: not tried yet';
  return `pending: ${why}; attempt ${delivery.attempts + 1} at ${formatInstant(delivery.nextAt)} UTC`;
}

function formatDeliveries(deliveries: readonly DeliveryView[]): string {
  return formatTable([
    ['DELIVERY', 'WEBHOOK', 'EVENT', 'STATUS', 'ATTEMPTS', 'HTTP', 'LAST TRIED (UTC)', 'ERROR'],
    ...deliveries.map((d) => [
      d.id,
      d.webhook,
      d.event,
      d.status,
      String(d.attempts),
      d.responseStatus === undefined ? '-' : String(d.responseStatus),
      d.lastAttemptAt === undefined ? '-' : formatInstant(d.lastAttemptAt),
      d.status === 'delivered' ? '' : (d.error?.slice(0, 60) ?? ''),
    ]),
  ]);
}

/** `POST /api/webhooks/<id>/<action>`, its reply checked. */
function webhookAction<T>(command: Command, id: string, action: string, reply: ZodType<T>) {
  const path = `/api/webhooks/${encodeURIComponent(id)}/${action}`;
  return restPostChecked(coordinatorAccess(command), path, undefined, reply);
}

export function registerWebhooksCommand(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('HTTP notifications of run ends, new failures, regressions and flaky tests');
  webhooks
    .command('add')
    .description(
      'notify a URL: each delivery is signed (X-DTF-Signature), retried with backoff, recorded',
    )
    .argument('<url>', 'where to POST (http:// or https://)')
    .option(
      '--event <event>',
      `what to notify, repeatable: ${WebhookEvent.options.join(', ')} (default run.ended)`,
      collectRepeated,
    )
    .option('--format <format>', 'json (the notification as it is) or slack (default json)')
    .option('--secret <text>', 'the HMAC key deliveries are signed with (default: one made for it)')
    .option('--description <text>', 'what it is for, for whoever reads the list')
    .option('--json', 'print the webhook, its secret included, as JSON')
    .action(async (url: string, options: AddOptions, command: Command) => {
      const request = {
        url,
        ...(options.event === undefined ? {} : { events: options.event }),
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.secret === undefined ? {} : { secret: options.secret }),
        ...(options.description === undefined ? {} : { description: options.description }),
      };
      const checked = parseWith(WebhookRequest, request, 'webhook');
      if (!checked.ok) throw new UsageError(checked.error.message);
      const access = coordinatorAccess(command);
      const { webhook } = await restPostChecked(
        access,
        '/api/webhooks',
        request,
        RestWebhookAddedReply,
      );
      if (options.json === true) {
        printJson(webhook);
        return;
      }
      printLine(
        `added webhook ${webhook.id}: ${webhook.events.join(', ')} to ${webhook.url} (${webhook.format})`,
      );
      if (options.secret === undefined) {
        printLine(
          `secret: ${webhook.secret}\n  (shown this once: receivers check each delivery's X-DTF-Signature with it; see docs/webhooks.md)`,
        );
      }
    });
  webhooks
    .command('list')
    .description('the webhooks, each with its latest delivery')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const reply = await restGetChecked(
        coordinatorAccess(command),
        '/api/webhooks',
        RestWebhooksReply,
      );
      if (options.json === true) {
        printJson(reply.webhooks);
        return;
      }
      if (reply.webhooks.length === 0) {
        printLine('no webhooks (dtf webhooks add <url> adds one)');
        return;
      }
      printLine(
        formatTable([
          ['ID', 'URL', 'EVENTS', 'FORMAT', 'LAST DELIVERY', 'DESCRIPTION'],
          ...reply.webhooks.map((w) => [
            w.id,
            w.url,
            w.events.join(','),
            w.format,
            w.lastDelivery === undefined
              ? '-'
              : `${w.lastDelivery.event} ${attemptOutcome(w.lastDelivery)}`.slice(0, 80),
            w.description ?? '',
          ]),
        ]),
      );
    });
  webhooks
    .command('test')
    .description('send a webhook a ping now and say how it went (exit 1 when it was not delivered)')
    .argument('<id>', 'the webhook, as dtf webhooks list shows it')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { delivery } = await webhookAction(command, id, 'test', RestDeliveryReply);
      printLine(`ping ${delivery.id}: ${attemptOutcome(delivery)}`);
      if (delivery.status !== 'delivered') process.exitCode = 1;
    });
  webhooks
    .command('remove')
    .description('remove a webhook; its pending deliveries are dropped')
    .argument('<id>', 'the webhook, as dtf webhooks list shows it')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { webhook } = await webhookAction(command, id, 'remove', RestWebhookRemovedReply);
      printLine(`removed webhook ${webhook.id} (${webhook.url})`);
    });
  webhooks
    .command('deliveries')
    .description('deliveries, the newest first, with how their last attempt went')
    .option('--webhook <id>', "only this webhook's")
    .option('--limit <n>', 'most deliveries to list (default 50)')
    .option('--json', 'print them as JSON')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { json, ...filters } = options;
      const query = queryString(DeliveriesQuery, filters, 'deliveries filter');
      const reply = await restGetChecked(
        coordinatorAccess(command),
        `/api/webhooks/deliveries${query}`,
        RestDeliveriesReply,
      );
      if (json === true) printJson(reply.deliveries);
      else
        printLine(
          reply.deliveries.length === 0 ? 'no deliveries' : formatDeliveries(reply.deliveries),
        );
    });
}
