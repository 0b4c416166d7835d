import type { FromSocketWorker, ToSocketWorker } from './socket-channel.js';
import { createSocketLink } from './socket-link.js';

/**
 * Runs in a dedicated Web Worker and owns the page's WebSocket (`createSocketLink`), so
 * heartbeats keep going while the page's main thread is busy in a task (compiling a model, a
 * long synchronous test).
 */

/** The dedicated-worker side of postMessage; the page's DOM typings do not describe it. */
const port = globalThis as unknown as {
  postMessage(message: FromSocketWorker): void;
  onmessage: ((event: MessageEvent<ToSocketWorker>) => void) | null;
};

const handle = createSocketLink((event) => port.postMessage(event));
port.onmessage = ({ data }) => handle(data);
