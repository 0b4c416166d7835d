import type WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  QUEUE_SAMPLE_MS,
  type WatchDashboardMessage,
} from '../../protocol/index.js';
import type { CoordinatorContext } from '../context.js';
import { DashboardActivity } from '../dashboard/activity.js';
import { sharedView, workersPage } from '../dashboard/view.js';
import type { StateEvent } from '../state/index.js';
import { send } from './send.js';

/** Pushes at most this often; changes in between are sent together. */
const PUSH_MS = 500;
/** And at least this often, so that ages, health scores and the charts move without events. */
const REFRESH_MS = 5_000;

interface Watch {
  id: string;
  workers: WatchDashboardMessage['workers'];
}

/**
 * The dashboards watching over WebSocket: each is sent the view when it asks, then again after
 * any committed change, coalesced to one push per `PUSH_MS` for all of them. Nothing is worked
 * out before anyone watches, and nothing but the activity counts while no one does.
 */
export class DashboardWatchers {
  private readonly watches = new Map<WebSocket, Watch>();
  /** Made at the first watch: building it walks the tasks once. */
  private activity: DashboardActivity | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private pending: NodeJS.Timeout | undefined;
  private lastPush = 0;

  constructor(private readonly ctx: CoordinatorContext) {}

  private started(): DashboardActivity {
    if (this.activity !== undefined) return this.activity;
    const activity = new DashboardActivity(this.ctx.state, this.ctx.now());
    const sampler = setInterval(() => activity.sampleQueue(this.ctx.now()), QUEUE_SAMPLE_MS);
    const refresh = setInterval(() => this.changed(), REFRESH_MS);
    sampler.unref();
    refresh.unref();
    this.timers.push(sampler, refresh);
    this.activity = activity;
    return activity;
  }

  watch(socket: WebSocket, message: WatchDashboardMessage): void {
    const watch = { id: message.id, workers: message.workers };
    this.watches.set(socket, watch);
    this.push(new Map([[socket, watch]]));
  }

  unwatch(socket: WebSocket): void {
    this.watches.delete(socket);
  }

  onCommitted(events: readonly StateEvent[]): void {
    this.activity?.record(events, this.ctx.now());
    if (events.length > 0) this.changed();
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.pending);
    this.watches.clear();
  }

  private changed(): void {
    if (this.watches.size === 0 || this.pending !== undefined) return;
    const wait = Math.max(0, this.lastPush + PUSH_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.push(this.watches);
    }, wait);
  }

  private push(watches: ReadonlyMap<WebSocket, Watch>): void {
    if (watches.size === 0) return;
    const now = this.ctx.now();
    this.lastPush = Date.now();
    const shared = sharedView(this.ctx, this.started(), now);
    for (const [socket, watch] of watches) {
      const view = {
        ...shared,
        workers: { ...shared.workers, ...workersPage(this.ctx, watch.workers, now) },
      };
      send(socket, { v: PROTOCOL_VERSION, type: 'dashboard', id: watch.id, view });
    }
  }
}
