import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { Backoff } from '../../worker-core/index.js';
import {
  type FromSocketWorker,
  MAIN_THREAD_STALL_LIMIT_MS,
  type ToSocketWorker,
} from './socket-channel.js';

/**
 * Runs in a dedicated Web Worker and owns the page's WebSocket, so heartbeats keep going while
 * the page's main thread is busy in a task (compiling a model, a long synchronous test). A
 * browser cannot see why a handshake failed (a wrong token looks like any refused connection),
 * so every failure is retried with a growing, jittered delay.
 */

/** The dedicated-worker side of postMessage; the page's DOM typings do not describe it. */
const port = globalThis as unknown as {
  postMessage(message: FromSocketWorker): void;
  onmessage: ((event: MessageEvent<ToSocketWorker>) => void) | null;
};

const backoff = new Backoff({ initialDelayMs: 200 });
let url = '';
let socket: WebSocket | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
let mainThreadSeenAt = performance.now();
let stopped = false;

function open(): void {
  const current = new WebSocket(url);
  socket = current;
  let opened = false;
  current.addEventListener('open', () => {
    opened = true;
    port.postMessage({ event: 'opened' });
  });
  current.addEventListener('message', (event) => {
    if (typeof event.data === 'string') port.postMessage({ event: 'message', data: event.data });
  });
  current.addEventListener('close', () => {
    socket = undefined;
    clearInterval(heartbeatTimer);
    if (stopped) {
      port.postMessage({ event: 'stopped' });
      return;
    }
    retryTimer = setTimeout(open, backoff.nextDelayMs());
    if (opened) port.postMessage({ event: 'closed' });
  });
}

function send(data: string): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(data);
}

function startHeartbeat(intervalMs: number): void {
  clearInterval(heartbeatTimer);
  const heartbeat = JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat' });
  heartbeatTimer = setInterval(() => {
    if (performance.now() - mainThreadSeenAt > MAIN_THREAD_STALL_LIMIT_MS) {
      socket?.close(4000, 'the page stopped responding');
      return;
    }
    send(heartbeat);
  }, intervalMs);
}

function close(): void {
  stopped = true;
  clearTimeout(retryTimer);
  clearInterval(heartbeatTimer);
  if (socket === undefined) port.postMessage({ event: 'stopped' });
  else socket.close(1000, 'worker stopping');
}

port.onmessage = ({ data: request }) => {
  switch (request.op) {
    case 'open':
      url = request.url;
      open();
      return;
    case 'send':
      send(request.data);
      return;
    case 'heartbeat':
      startHeartbeat(request.intervalMs);
      return;
    case 'resetBackoff':
      backoff.reset();
      return;
    case 'alive':
      mainThreadSeenAt = performance.now();
      return;
    case 'close':
      close();
      return;
  }
};
