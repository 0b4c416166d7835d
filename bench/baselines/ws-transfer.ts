import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import { spawnUntilLine, withProcess } from '../support/child-process.js';
import { percentile } from '../support/percentile.js';
import { openClient } from './ws-echo.js';

/** The echo server as built: this file runs as `dist/bench/baselines/ws-transfer.js`. */
const ECHO_PROCESS = fileURLToPath(new URL('./ws-echo-process.js', import.meta.url));

export interface WsTransferOptions {
  bytes: number;
  roundTrips: number;
}

/** Milliseconds from sending `payload` until its echo has arrived whole. */
function roundTrip(socket: WebSocket, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    socket.once('message', (data: Buffer) => {
      if (data.byteLength === payload.byteLength) resolve(performance.now() - started);
      else reject(new Error(`the echo had ${data.byteLength} bytes, not ${payload.byteLength}`));
    });
    socket.send(payload, { binary: true });
  });
}

/**
 * The median time for `bytes` of binary data to go from this process to a `ws` echo server in
 * another process on loopback and back, one round trip at a time: the bytes cross between two
 * processes twice, as an activation does when one worker uploads it and another fetches it.
 */
export function measureWsTransfer(options: WsTransferOptions): Promise<number> {
  const payload = randomBytes(options.bytes);
  return withProcess(
    spawnUntilLine(process.execPath, [ECHO_PROCESS], /^ws echo listening on (\d+)$/),
    async (echo) => {
      const socket = await openClient(Number(echo.match[1]));
      try {
        const times: number[] = [];
        for (let i = 0; i < options.roundTrips; i++) times.push(await roundTrip(socket, payload));
        return percentile(times, 50);
      } finally {
        socket.close(1000);
      }
    },
  );
}
