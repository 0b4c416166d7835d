import type { WorkerToCoordinator } from '../../protocol/index.js';
import type { ConnectionHandlers, WorkerConnection } from '../../worker-core/index.js';
import {
  type FromSocketWorker,
  MAIN_THREAD_TICK_MS,
  type ToSocketWorker,
} from './socket-channel.js';

/** How long a clean close may take at shutdown before the page stops waiting. */
const CLOSE_TIMEOUT_MS = 1_000;

/**
 * The page's connection to the coordinator that served it, or to the leader of its cluster.
 * The WebSocket itself lives in a Web Worker (socket-worker.ts), whose heartbeats do not wait
 * for a busy main thread.
 */
export class BrowserConnection implements WorkerConnection {
  private readonly socketWorker: Worker;
  private open = false;
  private aliveTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    /** The coordinator's `/ws` first, then the other members of its cluster. */
    private readonly urls: string[],
    private readonly token: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.socketWorker = new Worker(new URL('./socket-worker.js', import.meta.url), {
      type: 'module',
    });
    this.socketWorker.addEventListener('message', (event: MessageEvent<FromSocketWorker>) =>
      this.receive(event.data),
    );
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
      this.socketWorker.addEventListener('message', (event: MessageEvent<FromSocketWorker>) => {
        if (event.data.event !== 'stopped') return;
        clearTimeout(giveUp);
        resolve();
      });
      this.post({ op: 'close' });
    });
    this.socketWorker.terminate();
  }

  private post(request: ToSocketWorker): void {
    this.socketWorker.postMessage(request);
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
        return;
    }
  }
}
