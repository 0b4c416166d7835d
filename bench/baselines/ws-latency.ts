import type { AddressInfo } from 'node:net';
import type WebSocket from 'ws';
import { withDeadline } from '../support/deadline.js';
import { sendOnSchedule } from '../support/open-loop.js';
import { type LatencyPercentiles, latencyPercentiles } from '../support/percentile.js';
import { openClient, startEchoServer } from './ws-echo.js';

export interface WsLatencyOptions {
  /** The text each round trip sends and gets back. */
  message: string;
  roundTrips: number;
  /** Round trips started per second, on a fixed schedule whatever the replies do. */
  perSecond: number;
}

/** Milliseconds from each send until its echo arrives, for sends made on a fixed schedule. */
function roundTripTimes(socket: WebSocket, options: WsLatencyOptions): Promise<number[]> {
  const sentAt: number[] = [];
  const times: number[] = [];
  return new Promise<number[]>((resolve, reject) => {
    // The echo server answers in order, so each reply belongs to the oldest unanswered send.
    socket.on('message', () => {
      times.push(performance.now() - sentAt[times.length]!);
      if (times.length === options.roundTrips) resolve(times);
    });
    socket.once('close', () => reject(new Error('the echo connection closed early')));
    sendOnSchedule(options.roundTrips, options.perSecond, (index) => {
      sentAt[index] = performance.now();
      socket.send(options.message);
    }).catch(reject);
  });
}

/**
 * Round trip times of `message` between a `ws` client and an echo server on loopback, in this
 * process, at a fixed offered rate: the floor under any request/reply latency over the
 * coordinator's WebSocket at that rate.
 */
export async function measureWsLatency(options: WsLatencyOptions): Promise<LatencyPercentiles> {
  const server = await startEchoServer();
  let socket: WebSocket | undefined;
  try {
    socket = await openClient((server.address() as AddressInfo).port);
    const scheduleMs = (options.roundTrips / options.perSecond) * 1000;
    const times = await withDeadline(
      'the ws echo latency run',
      scheduleMs + 30_000,
      roundTripTimes(socket, options),
    );
    return latencyPercentiles(times);
  } finally {
    socket?.close(1000);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
