import type { WorkerToCoordinator } from '../../protocol/index.js';
import type { ConnectionHandlers, WorkerConnection } from '../../worker-core/index.js';
import {
  type FromSocketWorker,
  MAIN_THREAD_TICK_MS,
  type ToSocketWorker,
} from './socket-channel.js';
import { createSocketLink } from './socket-link.js';
import { workerSocketOffMainThread } from './socket-placement.js';

/** How long a clean close may take at shutdown before the page stops waiting. */
const CLOSE_TIMEOUT_MS = 1_000;

/**
 * The page's connection to the coordinator that served it, or to the leader of its cluster.
 * The WebSocket itself lives in a Web Worker (socket-worker.ts), whose heartbeats do not wait
 * for a busy main thread, where the browser runs a worker's WebSocket off the main thread; on
 * the main thread (`createSocketLink` directly) where it does not.
 */
export class BrowserConnection implements WorkerConnection {
  private readonly socketWorker: Worker | undefined;
  private readonly post: (request: ToSocketWorker) => void;
  private open = false;
  private aliveTimer: ReturnType<typeof setInterval> | undefined;
  private onStopped: (() => void) | undefined;

  constructor(
    /** The coordinator's `/ws` first, then the other members of its cluster. */
    private readonly urls: string[],
    private readonly token: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    if (!workerSocketOffMainThread(navigator.userAgent)) {
      this.post = createSocketLink((event) => this.receive(event));
      return;
    }
    const socketWorker = new Worker(new URL('./socket-worker.js', import.meta.url), {
      type: 'module',
    });
    socketWorker.addEventListener('message', (event: MessageEvent<FromSocketWorker>) =>
      this.receive(event.data),
    );
    this.socketWorker = socketWorker;
    this.post = (request) => socketWorker.postMessage(request);
  }

  start(): void {
    this.aliveTimer = setInterval(() => this.post({ op: 'alive' }), MAIN_THREAD_TICK_MS);
    this.post({ op: 'open', urls: this.urls, token: this.token });
  }

  send(message: WorkerToCoordinator): boolean {
    if (!this.open) return false;
    this.post({ op: 'send', data: JSON.stringify(message) });
    return true;
  }

  resetBackoff(): void {
    this.post({ op: 'resetBackoff' });
  }

  startHeartbeat(intervalMs: number): void {
    this.post({ op: 'heartbeat', intervalMs });
  }

  async stop(): Promise<void> {
    clearInterval(this.aliveTimer);
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      this.onStopped = () => {
        clearTimeout(giveUp);
        resolve();
      };
      this.post({ op: 'close' });
    });
    this.socketWorker?.terminate();
  }

  private receive(event: FromSocketWorker): void {
    switch (event.event) {
      case 'opened':
        this.open = true;
        this.handlers.opened();
        return;
      case 'message':
        this.handlers.message(event.data);
        return;
      case 'closed':
        this.open = false;
        this.handlers.closed();
        return;
      case 'refused':
        this.handlers.refused(event.reason);
        return;
      case 'stopped':
        this.open = false;
        this.onStopped?.();
        return;
    }
  }
}
