import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { TaskEvent } from '../../../protocol/index.js';

/** A request as the fake coordinator received it. */
export interface ReceivedRequest {
  type: string;
  id: string;
  [field: string]: unknown;
}

export interface FakeCoordinator {
  url: string;
  received: ReceivedRequest[];
  authorization: (string | undefined)[];
  /** Handshakes it accepted. */
  connections: number;
  close(): Promise<void>;
}

export interface Refusal {
  status: number;
  body: string;
}

export interface FakeOptions {
  /** Refuse every handshake with this status and body; a function decides for each handshake. */
  refuse?: Refusal | (() => Refusal | undefined);
  /** Answer a handshake with a redirect to the URL this returns (a follower naming its leader). */
  redirect?: () => string | undefined;
  /** Whether to answer pings (default true). */
  autoPong?: boolean;
}

/** Sends protocol messages (the `v` field is added). */
export function reply(socket: WebSocket, message: Record<string, unknown>): void {
  socket.send(JSON.stringify({ v: 1, ...message }));
}

/** A loopback WebSocket server on a free port that answers requests with `answer`. */
export async function startFakeCoordinator(
  answer: (request: ReceivedRequest, socket: WebSocket) => void,
  options: FakeOptions = {},
): Promise<FakeCoordinator> {
  const received: ReceivedRequest[] = [];
  const authorization: (string | undefined)[] = [];
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/ws',
    autoPong: options.autoPong ?? true,
    verifyClient: (info, done) => {
      authorization.push(info.req.headers.authorization);
      const location = options.redirect?.();
      const refusal = typeof options.refuse === 'function' ? options.refuse() : options.refuse;
      if (location !== undefined) done(false, 307, '', { location });
      else if (refusal === undefined) done(true);
      else done(false, refusal.status, refusal.body);
    },
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const fake = { connections: 0 };
  server.on('connection', (socket) => {
    fake.connections++;
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as ReceivedRequest;
      received.push(request);
      answer(request, socket);
    });
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `ws://127.0.0.1:${port}/ws`,
    received,
    authorization,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  });
}

/** A loopback URL where nothing listens: the port of a server that was just closed. */
export async function unusedUrl(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}/ws`;
}

/** Answers subscribe with `snapshot`, then sends each batch of events at once; acks unsubscribe. */
export function subscriptionScript(snapshot: TaskEvent[], batches: TaskEvent[][] = []) {
  return (request: ReceivedRequest, socket: WebSocket) => {
    if (request.type === 'unsubscribe') {
      reply(socket, { type: 'unsubscribed', id: request.id });
      return;
    }
    reply(socket, { type: 'subscribed', id: request.id, subscription: 's1', snapshot });
    for (const events of batches) reply(socket, { type: 'event', subscription: 's1', events });
  };
}
