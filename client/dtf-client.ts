import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  type ClientToCoordinator,
  decodeMessage,
  MAX_TASKS_PER_SUBMIT,
  PROTOCOL_VERSION,
  type QueryMessage,
  type Requirements,
  type RetargetReply,
  type TaskEvent,
  type TaskSpecInput,
  type TaskView,
  ToClientMessage,
} from '../protocol/index.js';
import { DEFAULT_ADMISSION_WAIT_MS, untilAdmitted } from './admission-retry.js';
import { chunks } from './chunks.js';
import { CoordinatorError } from './coordinator-error.js';
import { describeError } from './error-text.js';
import { type EventHandler, type Follow, Follows, type SelectorPart } from './follows.js';
import { LeaderConnection, type ReconnectOptions } from './leader-connection.js';
import { PendingRequests } from './pending-requests.js';
import { TaskProgress } from './task-progress.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ConnectOptions {
  /** Coordinator WebSocket URLs (`ws://host:port/ws`), tried in order; every member of a cluster. */
  urls: readonly string[];
  token?: string;
  /**
   * The CA certificate (PEM) that signed a TLS coordinator's certificate (`dtf certs dev`'s
   * `ca.pem`), trusted beside the system's; a `wss://` URL needs none for a publicly signed one.
   */
  ca?: string;
  /** How long a request waits for its reply, and the handshake for its answer. Default 30 s. */
  requestTimeoutMs?: number;
  /**
   * After the connection drops, connect again (to the leader) and carry on: requests in flight
   * are sent again, subscriptions resumed. The first connect, too, waits (as long) while a
   * cluster elects a leader. `false`: a drop ends the client. Default: on.
   */
  reconnect?: ReconnectOptions | false;
  /** How often to ping the coordinator; three unanswered pings drop the connection. Default 5 s. */
  pingIntervalMs?: number;
  /** Called each time the client connected again after losing its connection. */
  onReconnect?: (event: ReconnectEvent) => void;
  /**
   * How long `submit` waits out the coordinator's admission control (a key over its rate, a
   * full queue: `rate_limited`, `queue_full`), sending the same tasks again after each wait it
   * is told. Default 10 minutes; 0 fails at the first refusal.
   */
  admissionWaitMs?: number;
}

export interface ReconnectEvent {
  /** The coordinator whose connection was lost. */
  lostUrl: string;
  /** Why it was lost. */
  cause: Error;
  /** The coordinator (the leader) the client is connected to now. */
  url: string;
}

/** Tasks named by id, or every task of a group. */
export type TaskSelector = { taskIds: readonly string[] } | { group: string };

export type QueryFilter = Omit<z.input<typeof QueryMessage>, 'v' | 'type' | 'id'>;

export interface Subscription {
  /** The state of every selected task when the subscription began. */
  readonly snapshot: TaskEvent[];
  close(): Promise<void>;
}

export interface WaitOptions {
  /**
   * Called for each change of a task's state (snapshot included), with the progress of the
   * whole set. Calls start once the set is known (the snapshot is in), so the first one
   * already counts every selected task.
   */
  onEvent?: (event: TaskEvent, progress: TaskProgress) => void;
}

type ReplyType = ToClientMessage['type'];
type Reply<T extends ReplyType> = Extract<ToClientMessage, { type: T }>;
type WithoutEnvelope<M> = M extends unknown ? Omit<M, 'v' | 'id'> : never;
type RequestBody = WithoutEnvelope<z.input<typeof ClientToCoordinator>>;

function isReply<T extends ReplyType>(message: ToClientMessage, type: T): message is Reply<T> {
  return message.type === type;
}

function selectorParts(selector: TaskSelector): SelectorPart[] {
  if ('group' in selector) return [selector];
  return chunks(selector.taskIds, MAX_TASKS_PER_SUBMIT).map((taskIds) => ({ taskIds }));
}

/**
 * A submit sent again after a lost connection must not create its tasks twice: every task
 * without an idempotency key gets one, so the coordinator answers a repeat with the first ids.
 */
function withIdempotencyKeys(tasks: readonly TaskSpecInput[]): TaskSpecInput[] {
  return tasks.map((task) =>
    task.idempotencyKey === undefined ? { ...task, idempotencyKey: randomUUID() } : task,
  );
}

/**
 * A client of a coordinator (the leader of a cluster) over its WebSocket: submit, query,
 * cancel and follow tasks. A lost connection is taken up again at the leader, by default.
 */
export class DtfClient {
  private readonly pending: PendingRequests;
  private readonly follows = new Follows();
  private connection!: LeaderConnection;
  /** Set once the client is over; every later request fails with it. */
  private closedError: Error | undefined;
  /** What failed the requests the last lost connection took with it. */
  private lastDropCause: Error | undefined;

  static async connect(options: ConnectOptions): Promise<DtfClient> {
    const client = new DtfClient(options);
    client.connection = await LeaderConnection.open(
      {
        urls: options.urls,
        token: options.token,
        ca: options.ca,
        timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        reconnect: options.reconnect ?? {},
        pingIntervalMs: options.pingIntervalMs,
      },
      {
        message: (raw) => client.handleMessage(raw),
        dropped: (cause) => client.handleDrop(cause),
        reconnected: (lostUrl, url, cause) => client.handleReconnect({ lostUrl, url, cause }),
        ended: (error) => client.handleEnd(error),
      },
    );
    return client;
  }

  private constructor(private readonly options: ConnectOptions) {
    this.pending = new PendingRequests(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /** The coordinator this client is connected to (the last one while it reconnects). */
  get url(): string {
    return this.connection.url;
  }

  /**
   * Submits tasks, in chunks the protocol allows; resolves with their ids in order. Tasks
   * without an idempotency key get a random one, so that a submit repeated after a lost
   * connection, or after the coordinator's admission control asked it to wait, cannot create
   * them twice.
   */
  async submit(tasks: readonly TaskSpecInput[]): Promise<string[]> {
    const taskIds: string[] = [];
    for (const part of chunks(withIdempotencyKeys(tasks), MAX_TASKS_PER_SUBMIT)) {
      const reply = await untilAdmitted(
        () => this.request({ type: 'submit', tasks: part }, 'submitted'),
        this.options.admissionWaitMs ?? DEFAULT_ADMISSION_WAIT_MS,
      );
      taskIds.push(...reply.taskIds);
    }
    return taskIds;
  }

  async query(filter: QueryFilter = {}): Promise<TaskView[]> {
    const reply = await this.request({ type: 'query', ...filter }, 'tasks');
    return reply.tasks;
  }

  /**
   * Cancels the selected tasks that have not ended; resolves with the ids it cancelled. Sent
   * again after a lost connection, it leaves out what the first attempt may have cancelled.
   */
  async cancel(selector: TaskSelector): Promise<string[]> {
    const cancelled: string[] = [];
    for (const part of selectorParts(selector)) {
      const reply = await this.request({ type: 'cancel', ...part }, 'cancelled');
      cancelled.push(...reply.taskIds);
    }
    return cancelled;
  }

  /**
   * Gives the tasks that have not ended `requirements` in place of theirs (whole) for their next
   * placements; with `revokeRunning`, an attempt on a worker they rule out is stopped and queued
   * again, not charged. Resolves with what it did to each id; more than 10,000 ids go in
   * several requests. Safe to send again after a lost connection: a task already retargeted
   * keeps the same requirements, and an attempt on a worker they allow is left alone.
   */
  async retarget(
    taskIds: readonly string[],
    requirements: Requirements,
    options: { revokeRunning?: boolean } = {},
  ): Promise<RetargetReply> {
    const done: RetargetReply = { retargeted: [], revoked: [], notFound: [], ended: [] };
    for (const part of chunks(taskIds, MAX_TASKS_PER_SUBMIT)) {
      const reply = await this.request(
        { type: 'retarget', taskIds: part, requirements, revokeRunning: options.revokeRunning },
        'retargeted',
      );
      done.retargeted.push(...reply.retargeted);
      done.revoked.push(...reply.revoked);
      done.notFound.push(...reply.notFound);
      done.ended.push(...reply.ended);
    }
    return done;
  }

  /**
   * Follows the selected tasks. `onEvents` gets each change newer than the snapshot once,
   * possibly before the returned promise resolves; after a reconnect, the changes made while
   * the connection was down. `onEnded` is called (once) if the subscription ends without
   * `close()`: the client gave up reconnecting or was closed, or a new leader refused it.
   */
  async subscribe(
    selector: TaskSelector,
    onEvents: EventHandler,
    onEnded: (error: Error) => void = () => {},
  ): Promise<Subscription> {
    let ended = false;
    const endOnce = (error: Error) => {
      if (ended) return;
      ended = true;
      onEnded(error);
    };
    const results = await Promise.allSettled(
      selectorParts(selector).map((part) => this.subscribeOnce(part, onEvents, endOnce)),
    );
    const opened = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const close = async () => {
      ended = true;
      await Promise.all(opened.map((subscription) => subscription.close()));
    };
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await close();
      throw failure.reason;
    }
    return { snapshot: opened.flatMap((subscription) => subscription.snapshot), close };
  }

  /**
   * Resolves with the final event of every selected task once all have ended. For a group,
   * that is every task of the group seen in the snapshot or in a later event.
   */
  waitFor(selector: TaskSelector, options: WaitOptions = {}): Promise<TaskEvent[]> {
    const progress = new TaskProgress('taskIds' in selector ? selector.taskIds : []);
    return new Promise((resolve, reject) => {
      let subscription: Subscription | undefined;
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        // The outcome is known already; a failed unsubscribe must not change it.
        const unsubscribed = subscription?.close().catch(() => {}) ?? Promise.resolve();
        void unsubscribed.then(() =>
          error === undefined ? resolve(progress.latestEvents()) : reject(error),
        );
      };
      // Changes taken in before the snapshot: a group's membership is not known yet, so they
      // are reported with the snapshot.
      let early: TaskEvent[] | undefined = [];
      const report = (fresh: readonly TaskEvent[]) => {
        for (const event of fresh) options.onEvent?.(event, progress);
        if (progress.allTerminal()) finish();
      };
      const accept = (events: readonly TaskEvent[]) => {
        const fresh = events.filter((event) => progress.apply(event));
        if (early === undefined) report(fresh);
        else early.push(...fresh);
      };
      this.subscribe(selector, accept, finish).then((opened) => {
        subscription = opened;
        const before = early ?? [];
        early = undefined;
        report([...before, ...opened.snapshot.filter((event) => progress.apply(event))]);
        const unknown = progress.unseenTaskIds();
        if (unknown.length > 0) {
          finish(new Error(`no such task: ${unknown.slice(0, 10).join(', ')}`));
        }
      }, finish);
    });
  }

  /** Ends the connection and any reconnecting; pending requests and subscriptions fail. */
  async close(): Promise<void> {
    await this.connection.close(
      new Error(`the connection to ${this.url} was closed by this client`),
    );
  }

  private async request<T extends ReplyType>(body: RequestBody, expected: T): Promise<Reply<T>> {
    return this.expectReply(await this.send(body).reply, body.type, expected);
  }

  private expectReply<T extends ReplyType>(
    reply: ToClientMessage,
    requestType: string,
    expected: T,
  ): Reply<T> {
    if (isReply(reply, expected)) return reply;
    throw new Error(
      `coordinator at ${this.url} answered a '${requestType}' request with '${reply.type}'`,
    );
  }

  /**
   * Sends now, or on the next connection while reconnecting. An unsubscribe is never sent
   * again: the subscription it ends died with the connection.
   */
  private send(body: RequestBody): { id: string; reply: Promise<ToClientMessage> } {
    if (this.closedError !== undefined) return { id: '', reply: Promise.reject(this.closedError) };
    const request = this.pending.start(
      body.type,
      (id) => JSON.stringify({ v: PROTOCOL_VERSION, id, ...body }),
      body.type !== 'unsubscribe',
    );
    if (this.connection.send(request.text)) this.pending.sent(request.id, this.url);
    return request;
  }

  private async subscribeOnce(
    part: SelectorPart,
    onEvents: EventHandler,
    onEnded: (error: Error) => void,
  ): Promise<Subscription> {
    const follow = this.follows.add(part, onEvents, onEnded);
    let message: Reply<'subscribed'>;
    try {
      message = this.expectReply(await this.requestSubscription(follow), 'subscribe', 'subscribed');
    } catch (error) {
      this.follows.remove(follow);
      throw error;
    }
    return { snapshot: message.snapshot, close: () => this.unfollow(follow) };
  }

  private requestSubscription(follow: Follow): Promise<ToClientMessage> {
    const { id, reply } = this.send({ type: 'subscribe', ...follow.part });
    this.follows.requested(id, follow);
    reply.catch(() => this.follows.requestFailed(id));
    return reply;
  }

  private async unfollow(follow: Follow): Promise<void> {
    const subscription = this.follows.remove(follow);
    if (subscription === undefined || this.closedError !== undefined) return;
    await this.request({ type: 'unsubscribe', subscription }, 'unsubscribed').catch(
      (error: unknown) => {
        // A connection lost meanwhile took the subscription with it.
        if (error !== this.lastDropCause) throw error;
      },
    );
  }

  private handleMessage(raw: string): void {
    const decoded = decodeMessage(raw, ToClientMessage);
    if (!decoded.ok) {
      const error = new Error(
        `coordinator at ${this.url} sent an invalid message: ${decoded.error.message}`,
      );
      if (decoded.id !== undefined && this.pending.has(decoded.id)) {
        this.pending.reject(decoded.id, error);
      } else {
        // An unreadable event or reply without an id could be anyone's: nothing can be trusted.
        void this.connection.close(error);
      }
      return;
    }
    const message = decoded.message;
    if (message.type === 'error' && message.code === 'not_leader' && this.followsLeader(message)) {
      return;
    }
    this.connection.answered();
    switch (message.type) {
      case 'event':
        this.follows.events(message.subscription, message.events);
        return;
      case 'error': {
        const error = new CoordinatorError(message.code, message.message, message.retryAfterMs);
        // Without an id the coordinator could not read which request failed; fail them all.
        if (message.id === undefined) this.pending.rejectAll(error);
        else this.pending.reject(message.id, error);
        return;
      }
      case 'subscribed': {
        // Handled before the reply resolves: events may follow in the same tick.
        const orphan = this.follows.subscribed(message.id, message.subscription, message.snapshot);
        if (orphan !== undefined) {
          this.send({ type: 'unsubscribe', subscription: orphan }).reply.catch(() => {});
        }
        this.pending.resolve(message.id, message);
        return;
      }
      default:
        this.pending.resolve(message.id, message);
    }
  }

  /**
   * A request refused because the coordinator no longer leads (it may have stepped down with
   * the command uncommitted): sent again at the leader, which is safe for every request a
   * reconnect repeats. False when the refusal stands (not reconnecting, or not repeatable).
   */
  private followsLeader(message: Reply<'error'>): boolean {
    if (this.options.reconnect === false || message.id === undefined) return false;
    if (!this.pending.isReplayable(message.id)) return false;
    this.connection.drop(
      new Error(`coordinator at ${this.url} stopped leading: ${message.message}`),
    );
    return true;
  }

  private handleDrop(cause: Error): void {
    this.lastDropCause = cause;
    this.pending.connectionLost(cause);
    this.follows.connectionLost();
  }

  private handleReconnect(event: ReconnectEvent): void {
    const waiting = this.pending.unanswered();
    for (const { id, text } of waiting) {
      if (this.connection.send(text)) this.pending.sent(id, event.url);
    }
    const resumed = this.follows.toResubscribe();
    for (const follow of resumed) {
      this.requestSubscription(follow)
        .then((reply) => this.expectReply(reply, 'subscribe', 'subscribed'))
        .catch((error: unknown) => {
          if (this.closedError !== undefined) return;
          this.follows.remove(follow);
          follow.onEnded(
            new Error(`could not follow the tasks again at ${event.url}: ${describeError(error)}`),
          );
        });
    }
    // Nothing to wait an answer for: the connection counts as back.
    if (waiting.length === 0 && resumed.length === 0) this.connection.answered();
    this.options.onReconnect?.(event);
  }

  private handleEnd(error: Error): void {
    this.closedError = error;
    this.pending.rejectAll(error);
    this.follows.endAll(error);
  }
}
