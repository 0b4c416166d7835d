import {
  type DashboardView,
  PROTOCOL_VERSION,
  type WatchDashboardMessage,
  WS_PATH,
} from '../protocol/index.js';
import { Backoff } from '../reconnect/index.js';

export type WorkersPage = WatchDashboardMessage['workers'];

export type FeedState =
  | { kind: 'connecting' }
  | { kind: 'live'; view: DashboardView }
  | { kind: 'lost'; view?: DashboardView; retryInMs: number };

/**
 * The coordinator's dashboard view over `/ws`: asked for once, then pushed on every change.
 * A lost connection is opened again with backoff, and the watch renewed.
 */
export class DashboardFeed {
  private socket: WebSocket | undefined;
  private readonly backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 10_000 });
  private last: DashboardView | undefined;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private request = 0;

  constructor(
    private readonly key: string,
    private workers: WorkersPage,
    private readonly onState: (state: FeedState) => void,
  ) {
    this.open();
  }

  /** Asks for another page of workers (or another filter). */
  showWorkers(workers: WorkersPage): void {
    this.workers = workers;
    this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.close();
  }

  private open(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(
      `${scheme}//${location.host}${WS_PATH}?token=${encodeURIComponent(this.key)}`,
    );
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.backoff.reset();
      this.watch();
    });
    socket.addEventListener('message', (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as { type: string; view?: DashboardView };
      if (message.type === 'dashboard' && message.view !== undefined) {
        this.last = message.view;
        this.onState({ kind: 'live', view: message.view });
      }
    });
    socket.addEventListener('close', () => {
      if (this.stopped) return;
      const retryInMs = this.backoff.nextDelayMs();
      this.onState(
        this.last === undefined
          ? { kind: 'lost', retryInMs }
          : { kind: 'lost', view: this.last, retryInMs },
      );
      this.retry = setTimeout(() => this.open(), retryInMs);
    });
  }

  private watch(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const message: WatchDashboardMessage = {
      v: PROTOCOL_VERSION,
      type: 'watch-dashboard',
      id: `dashboard-${++this.request}`,
      workers: this.workers,
    };
    this.socket.send(JSON.stringify(message));
  }
}
