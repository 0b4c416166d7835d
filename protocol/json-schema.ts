import { z } from 'zod';
import { Capabilities } from './capabilities.js';
import { InboundMessage, ToClientMessage, ToWorkerMessage } from './messages.js';
import { RaftFrame } from './raft.js';
import * as rest from './rest.js';
import { TaskSpec, TaskView } from './task.js';
import { PROTOCOL_VERSION } from './version.js';

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
      // The REST bodies and replies, by their schema names (`RestStatusReply`, …).
      ...Object.fromEntries(
        Object.entries(rest as Record<string, unknown>)
          .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
          .map(([name, schema]) => [name, name.endsWith('Reply') ? output(schema) : input(schema)]),
      ),
    },
  };
}
