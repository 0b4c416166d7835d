import { type ZodType, z } from 'zod';
import {
  ANY_ROLE,
  ClientToCoordinator,
  MESSAGE_ROLES,
  MESSAGE_SUMMARIES,
  ownEntry,
  ToClientMessage,
  ToWorkerMessage,
  WorkerToCoordinator,
} from '../protocol/index.js';
import type { Access, ClusterPolicy, Route } from './http/index.js';

const WHO: Record<string, string> = {
  anyone: 'anyone',
  member: 'cluster members',
  [ANY_ROLE.join(',')]: 'any key',
};

const CLUSTER: Record<ClusterPolicy, string> = {
  local: 'the member asked',
  linearizable: 'any member, linearizable',
  leader: 'the leader',
};

function who(access: Access): string {
  const key = typeof access === 'string' ? access : [...access].join(',');
  return WHO[key] ?? key.replaceAll(',', ', ');
}

const MAX_OUTLINE = 72;

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/** A schema's outline for a table cell: an object's keys (`?` when optional), an array's items. */
function outline(schema: ZodType, io: 'input' | 'output'): string {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return outlineOf(json, 0);
}

/** Every message's own keys: the outline leaves them out. */
const ENVELOPE = new Set(['v', 'type']);

function outlineOf(json: JsonSchema, depth: number): string {
  if (json.properties !== undefined) {
    if (depth > 0) return '{…}';
    const required = new Set(json.required ?? []);
    const entries = Object.entries(json.properties).filter(([key]) => !ENVELOPE.has(key));
    if (entries.length === 0) return '';
    const keys = entries.map(([key, value]) => {
      const inner = value.type === 'array' || value.items !== undefined ? '[]' : '';
      return `${key}${inner}${required.has(key) ? '' : '?'}`;
    });
    // A long outline shows its first keys: the schema in `dtf schema` has them all.
    const shown = keys.join(', ').length <= MAX_OUTLINE ? keys : [...keys.slice(0, 6), '…'];
    return `{ ${shown.join(', ')} }`;
  }
  if (json.items !== undefined) return `[${outlineOf(json.items, depth + 1)}]`;
  if (json.anyOf !== undefined) return json.anyOf.map((s) => outlineOf(s, depth)).join(' \\| ');
  return Array.isArray(json.type) ? json.type.join(' \\| ') : (json.type ?? 'any');
}

function body(route: Route): string {
  if (route.request !== undefined) return `\`${outline(route.request, 'input')}\``;
  return route.body === 'stream' ? 'the bytes' : '';
}

function reply(route: Route): string {
  return typeof route.reply === 'string' ? route.reply : `\`${outline(route.reply, 'output')}\``;
}

/** A Markdown table whose columns are padded to their widest cell, as the formatter keeps them. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

interface MessageUnion {
  options: ReadonlyArray<ZodType & { shape: { type: { value: string } } }>;
}

/** The WebSocket's four directions: whose messages, and whether they are read or written. */
const DIRECTIONS = [
  ['From a client', ClientToCoordinator, 'input'],
  ['To a client', ToClientMessage, 'output'],
  ['From a worker', WorkerToCoordinator, 'input'],
  ['To a worker', ToWorkerMessage, 'output'],
] as unknown as ReadonlyArray<[string, MessageUnion, 'input' | 'output']>;

/** One direction of the WebSocket: each message's type, its fields and what it does. */
function messageTable(union: MessageUnion, io: 'input' | 'output'): string {
  const rows = union.options.map((message) => {
    const type = message.shape.type.value as keyof typeof MESSAGE_SUMMARIES;
    const fields = outline(message, io);
    const cells = [`\`${type}\``, fields === '' ? '' : `\`${fields}\``];
    if (io === 'input') cells.push(who(ownEntry(MESSAGE_ROLES, type) ?? []));
    return [...cells, MESSAGE_SUMMARIES[type]];
  });
  const headers = io === 'input' ? ['type', 'fields', 'who', 'what'] : ['type', 'fields', 'what'];
  return table(headers, rows);
}

/** docs/api.md: the REST API as the route table declares it, and the WebSocket's messages. */
export function apiReference(routes: readonly Route[]): string {
  const rows = routes.map((route) => [
    `\`${route.method} ${route.path}\``,
    who(route.who),
    CLUSTER[route.cluster],
    body(route),
    reply(route),
    route.summary,
  ]);
  return `${[
    '# REST API',
    '',
    '<!-- Generated from coordinator/http/routes.ts and the schemas in protocol/ by `npm run docs:api`; a unit test fails when it drifts. -->',
    '',
    'Every route of a coordinator, in the order they are matched (any letter case, with or',
    'without a trailing slash). A token goes in `Authorization: Bearer <token>`; an error is',
    '`{ "error": { "code", "message" } }` with a status that fits (401 no or wrong token, 403',
    'a token without the role, 404, 413 a body over its bound, 503 `not_leader` with',
    '`Retry-After`). Bodies and replies are outlined by their top-level keys (`?`: optional;',
    '`[]`: a list); their full JSON Schema is in `dtf schema`.',
    '',
    'In a cluster, **the member asked** answers about itself or from files every member has;',
    '**any member, linearizable** answers once a ReadIndex round shows its state is as recent',
    "as the leader's commit when the request came; **the leader** routes are sent there by a",
    'follower with `307` to the same path (or answered `503 not_leader` while no leader is',
    'known).',
    '',
    table(['route', 'who', 'in a cluster', 'body', 'reply', 'what'], rows),
    '',
    '# WebSocket',
    '',
    'Clients and workers talk on `/ws` (the token in `Authorization: Bearer` or `?token=`);',
    'cluster members on `/raft`. Every message is one JSON object with `v: 1` and a `type`;',
    'a request carries an `id` that its answer repeats. Each message a coordinator takes names',
    'the roles that may send it (`forbidden` otherwise); a worker speaks for a worker id only',
    'with the secret its first `registered` carried. Keys have a role: `admin`, `submitter`,',
    '`viewer` or `worker` (`dtf keys`, [security.md](security.md)).',
    '[protocol.md](protocol.md) has the limits, the errors and close codes, and how each',
    'exchange goes.',
    '',
    ...DIRECTIONS.flatMap(([title, union, io]) => [
      `## ${title}`,
      '',
      messageTable(union, io),
      '',
    ]).slice(0, -1),
  ].join('\n')}\n`;
}
