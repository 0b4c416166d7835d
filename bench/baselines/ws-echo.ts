import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { runConcurrently } from '../support/concurrency.js';
import { measureRate } from '../support/timing.js';

export interface WsEchoOptions {
  /** The text each round trip sends and gets back. */
  message: string;
  roundTrips: number;
  /** Round trips outstanding at once. */
  inFlight: number;
}

/** A `ws` server on loopback that sends every message back to its sender. */
export async function startEchoServer(): Promise<WebSocketServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}

/** A `ws` client connected to `port` on loopback. */
export function openClient(port: number): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** One round trip of `message` per call, over a socket to an echo server. */
function echoer(socket: WebSocket, message: string): () => Promise<void> {
  // The echo server answers in order, so each reply settles the oldest waiting round trip.
  const waiting: Array<() => void> = [];
  socket.on('message', () => waiting.shift()?.());
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      socket.send(message);
    });
}

/**
 * Round trips per second of `message` between a `ws` client and an echo server on loopback,
 * in this process: the floor under any request/reply over the coordinator's WebSocket.
 */
export async function measureWsEcho(options: WsEchoOptions): Promise<number> {
  const server = await startEchoServer();
  let socket: WebSocket | undefined;
  try {
    socket = await openClient((server.address() as AddressInfo).port);
    const roundTrip = echoer(socket, options.message);
    return await measureRate(options.roundTrips, () =>
      runConcurrently(options.roundTrips, options.inFlight, roundTrip),
    );
  } finally {
    socket?.close(1000);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
