import { z } from 'zod';
import { Capabilities } from './capabilities.js';
import { InboundMessage, ToClientMessage, ToWorkerMessage } from './messages.js';
import { RaftFrame } from './raft.js';
import * as rest from './rest.js';
import * as runs from './runs.js';
import { TaskSpec, TaskView } from './task.js';
import { PROTOCOL_VERSION } from './version.js';
import * as webhooks from './webhooks.js';

/** A module's zod schemas by their exported names. */
function zodEntries(module: object): Array<[string, z.ZodType]> {
  return Object.entries(module).filter(
    (entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType,
  );
}

/** The published JSON Schema of the whole contract, generated from the zod schemas. */
export function protocolJsonSchema(): Record<string, unknown> {
  const input = (schema: z.ZodType) =>
    z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const output = (schema: z.ZodType) =>
    z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `DTF protocol v${PROTOCOL_VERSION}`,
    description:
      'Messages on the coordinator WebSocket /ws and the documents they carry; RaftPeer: frames between cluster members on /raft and /api/raft/*; Rest*: the REST bodies and replies (docs/api.md).',
    $defs: {
      TaskSpec: input(TaskSpec),
      TaskView: output(TaskView),
      Capabilities: output(Capabilities),
      ToCoordinator: input(InboundMessage),
      ToWorker: output(ToWorkerMessage),
      ToClient: output(ToClientMessage),
      RaftPeer: output(RaftFrame),
      // What a webhook delivery carries (`--format json`), beside its delivery, webhook and at.
      WebhookNotification: output(webhooks.Notification),
      // The REST bodies and replies, by their schema names (`RestStatusReply`, …).
      ...Object.fromEntries(
        [
          ...zodEntries(rest),
          ...[runs, webhooks]
            .flatMap(zodEntries)
            .filter(([name]) => name.startsWith('Rest') || name.endsWith('Request')),
        ].map(([name, schema]) => [name, name.endsWith('Reply') ? output(schema) : input(schema)]),
      ),
    },
  };
}
