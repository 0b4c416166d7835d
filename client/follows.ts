import type { TaskEvent } from '../protocol/index.js';
import { TaskProgress } from './task-progress.js';

export type EventHandler = (events: TaskEvent[]) => void;

/** A selector as one message carries it. */
export type SelectorPart = { taskIds: string[] } | { group: string };

/**
 * What a user follows with one subscribe message. It outlives the connection: after a
 * reconnect it is subscribed again, and the new snapshot is handed on as events, less what the
 * handler already knew, so every change (a task's end above all) reaches it exactly once.
 */
export interface Follow {
  readonly part: SelectorPart;
  readonly onEvents: EventHandler;
  readonly onEnded: (error: Error) => void;
  /** The latest state handed on (or in the first snapshot) per task: the filter. */
  readonly known: TaskProgress;
  /** Whether the first snapshot is in; later ones are handed on as events. */
  established: boolean;
  closed: boolean;
}

/** The follows of one client, and which coordinator subscription or request stands for each. */
export class Follows {
  private readonly live = new Set<Follow>();
  /** By the coordinator's subscription id on the current connection. */
  private readonly bySubscription = new Map<string, Follow>();
  /** By the id of the subscribe request in flight for it. */
  private readonly byRequest = new Map<string, Follow>();

  add(part: SelectorPart, onEvents: EventHandler, onEnded: (error: Error) => void): Follow {
    const follow: Follow = {
      part,
      onEvents,
      onEnded,
      known: new TaskProgress(),
      established: false,
      closed: false,
    };
    this.live.add(follow);
    return follow;
  }

  requested(requestId: string, follow: Follow): void {
    this.byRequest.set(requestId, follow);
  }

  /** The subscribe request got no `subscribed` answer: it will not get one. */
  requestFailed(requestId: string): Follow | undefined {
    const follow = this.byRequest.get(requestId);
    this.byRequest.delete(requestId);
    return follow;
  }

  /**
   * A `subscribed` answer. Returns the coordinator's subscription id when nobody follows it
   * any more (it was closed meanwhile) so the caller can end it there.
   */
  subscribed(requestId: string, subscription: string, snapshot: TaskEvent[]): string | undefined {
    const follow = this.byRequest.get(requestId);
    if (follow === undefined) return undefined;
    this.byRequest.delete(requestId);
    if (follow.closed) return subscription;
    this.bySubscription.set(subscription, follow);
    const fresh = snapshot.filter((event) => follow.known.apply(event));
    if (follow.established && fresh.length > 0) follow.onEvents(fresh);
    follow.established = true;
    return undefined;
  }

  events(subscription: string, events: TaskEvent[]): void {
    const follow = this.bySubscription.get(subscription);
    if (follow === undefined) return;
    const fresh = events.filter((event) => follow.known.apply(event));
    if (fresh.length > 0) follow.onEvents(fresh);
  }

  /** Stops following; returns the coordinator's subscription to end, if there is one now. */
  remove(follow: Follow): string | undefined {
    follow.closed = true;
    this.live.delete(follow);
    for (const [subscription, owner] of this.bySubscription) {
      if (owner !== follow) continue;
      this.bySubscription.delete(subscription);
      return subscription;
    }
    return undefined;
  }

  /** The connection dropped, and every coordinator subscription with it. */
  connectionLost(): void {
    this.bySubscription.clear();
  }

  /** Follows that need a new subscribe on a new connection (none in flight for them). */
  toResubscribe(): Follow[] {
    const requested = new Set(this.byRequest.values());
    return [...this.live].filter((follow) => follow.established && !requested.has(follow));
  }

  endAll(error: Error): void {
    const ended = [...this.live];
    this.live.clear();
    this.bySubscription.clear();
    this.byRequest.clear();
    for (const follow of ended) {
      follow.closed = true;
      follow.onEnded(error);
    }
  }
}
