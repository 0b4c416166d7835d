import type WebSocket from 'ws';
import type { z } from 'zod';
import {
  type ClientToCoordinator,
  decodeMessage,
  MAX_TASKS_PER_SUBMIT,
  PROTOCOL_VERSION,
  type QueryMessage,
  type TaskEvent,
  type TaskSpecInput,
  type TaskView,
  ToClientMessage,
} from '../protocol/index.js';
import { chunks } from './chunks.js';
import { CoordinatorError } from './coordinator-error.js';
import { describeError } from './error-text.js';
import { openFirstSocket } from './open-socket.js';
import { PendingRequests } from './pending-requests.js';
import { TaskProgress } from './task-progress.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ConnectOptions {
  /** Coordinator WebSocket URLs (`ws://host:port/ws`), tried in order. */
  urls: readonly string[];
  token?: string;
  /** How long a request waits for its reply, and the handshake for its answer. Default 30 s. */
  requestTimeoutMs?: number;
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
  /** Called for each event (snapshot included), with the progress it led to. */
  onEvent?: (event: TaskEvent, progress: TaskProgress) => void;
}

type EventHandler = (events: TaskEvent[]) => void;
type ReplyType = ToClientMessage['type'];
type Reply<T extends ReplyType> = Extract<ToClientMessage, { type: T }>;
type WithoutEnvelope<M> = M extends unknown ? Omit<M, 'v' | 'id'> : never;
type RequestBody = WithoutEnvelope<z.input<typeof ClientToCoordinator>>;

function isReply<T extends ReplyType>(message: ToClientMessage, type: T): message is Reply<T> {
  return message.type === type;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A selector as one message carries it. */
type SelectorPart = { taskIds: string[] } | { group: string };

function selectorParts(selector: TaskSelector): SelectorPart[] {
  if ('group' in selector) return [selector];
  return chunks(selector.taskIds, MAX_TASKS_PER_SUBMIT).map((taskIds) => ({ taskIds }));
}

/** A client of one coordinator over its WebSocket: submit, query, cancel and follow tasks. */
export class DtfClient {
  private readonly pending: PendingRequests;
  private readonly subscriptions = new Map<string, EventHandler>();
  /** Handlers of subscribe requests in flight, by request id, until the reply names the subscription. */
  private readonly subscribing = new Map<string, EventHandler>();
  private readonly closeListeners = new Set<(error: Error) => void>();
  private readonly closed: Promise<void>;
  /** Why this side ended the connection, when it did. */
  private endReason: Error | undefined;
  private socketError: Error | undefined;
  /** Set once the connection is over; every later request fails with it. */
  private closedError: Error | undefined;

  static async connect(options: ConnectOptions): Promise<DtfClient> {
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const { socket, url } = await openFirstSocket(options.urls, options.token, timeoutMs);
    return new DtfClient(socket, url, timeoutMs);
  }

  private constructor(
    private readonly socket: WebSocket,
    /** The coordinator this client is connected to. */
    readonly url: string,
    timeoutMs: number,
  ) {
    this.pending = new PendingRequests(timeoutMs, url);
    socket.on('message', (data) => this.handleMessage(rawText(data)));
    socket.on('error', (error) => {
      this.socketError = error;
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.handleClose(code, reason.toString('utf8'));
        resolve();
      });
    });
  }

  /** Submits tasks, in chunks the protocol allows; resolves with their ids in order. */
  async submit(tasks: readonly TaskSpecInput[]): Promise<string[]> {
    const taskIds: string[] = [];
    for (const part of chunks(tasks, MAX_TASKS_PER_SUBMIT)) {
      const reply = await this.request({ type: 'submit', tasks: part }, 'submitted');
      taskIds.push(...reply.taskIds);
    }
    return taskIds;
  }

  async query(filter: QueryFilter = {}): Promise<TaskView[]> {
    const reply = await this.request({ type: 'query', ...filter }, 'tasks');
    return reply.tasks;
  }

  /** Cancels the selected tasks that have not ended; resolves with the ids it cancelled. */
  async cancel(selector: TaskSelector): Promise<string[]> {
    const cancelled: string[] = [];
    for (const part of selectorParts(selector)) {
      const reply = await this.request({ type: 'cancel', ...part }, 'cancelled');
      cancelled.push(...reply.taskIds);
    }
    return cancelled;
  }

  /**
   * Follows the selected tasks. `onEvents` may run before the returned promise resolves, with
   * events newer than the snapshot; `TaskProgress` merges both in any order.
   */
  async subscribe(selector: TaskSelector, onEvents: EventHandler): Promise<Subscription> {
    const results = await Promise.allSettled(
      selectorParts(selector).map((part) => this.subscribeOnce(part, onEvents)),
    );
    const opened = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const close = async () => {
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
        this.closeListeners.delete(finish);
        // The outcome is known already; a failed unsubscribe must not change it.
        const unsubscribed = subscription?.close().catch(() => {}) ?? Promise.resolve();
        void unsubscribed.then(() =>
          error === undefined ? resolve(progress.latestEvents()) : reject(error),
        );
      };
      const accept = (events: readonly TaskEvent[]) => {
        for (const event of events) {
          progress.apply(event);
          options.onEvent?.(event, progress);
        }
        // Before the snapshot is in, a group's membership is not known yet.
        if (subscription !== undefined && progress.allTerminal()) finish();
      };
      this.closeListeners.add(finish);
      this.subscribe(selector, accept).then((opened) => {
        subscription = opened;
        accept(opened.snapshot);
        const unknown = progress.unseenTaskIds();
        if (unknown.length > 0) {
          finish(new Error(`no such task: ${unknown.slice(0, 10).join(', ')}`));
        }
      }, finish);
    });
  }

  async close(): Promise<void> {
    this.endReason ??= new Error(`the connection to ${this.url} was closed by this client`);
    this.socket.close(1000);
    await this.closed;
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

  private send(body: RequestBody): { id: string; reply: Promise<ToClientMessage> } {
    const over = this.closedError ?? this.endReason;
    if (over !== undefined) return { id: '', reply: Promise.reject(over) };
    const request = this.pending.start(body.type);
    this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, id: request.id, ...body }));
    return request;
  }

  private async subscribeOnce(
    selector: SelectorPart,
    onEvents: EventHandler,
  ): Promise<Subscription> {
    const { id, reply } = this.send({ type: 'subscribe', ...selector });
    this.subscribing.set(id, onEvents);
    let message: Reply<'subscribed'>;
    try {
      message = this.expectReply(await reply, 'subscribe', 'subscribed');
    } finally {
      this.subscribing.delete(id);
    }
    const subscriptionId = message.subscription;
    return {
      snapshot: message.snapshot,
      close: async () => {
        if (!this.subscriptions.delete(subscriptionId) || this.closedError !== undefined) return;
        await this.request({ type: 'unsubscribe', subscription: subscriptionId }, 'unsubscribed');
      },
    };
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
        this.endReason ??= error;
        this.socket.terminate();
      }
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'event':
        this.subscriptions.get(message.subscription)?.(message.events);
        return;
      case 'error': {
        const error = new CoordinatorError(message.code, message.message);
        // Without an id the coordinator could not read which request failed; fail them all.
        if (message.id === undefined) this.pending.rejectAll(error);
        else this.pending.reject(message.id, error);
        return;
      }
      case 'subscribed': {
        // Registered before the reply resolves: events may follow in the same tick.
        const handler = this.subscribing.get(message.id);
        if (handler !== undefined) this.subscriptions.set(message.subscription, handler);
        this.pending.resolve(message.id, message);
        return;
      }
      default:
        this.pending.resolve(message.id, message);
    }
  }

  private handleClose(code: number, reason: string): void {
    const detail = reason === '' ? `code ${code}` : `code ${code}, ${reason}`;
    const cause = this.socketError === undefined ? '' : `: ${describeError(this.socketError)}`;
    const error =
      this.endReason ?? new Error(`connection to ${this.url} closed (${detail})${cause}`);
    this.closedError = error;
    this.pending.rejectAll(error);
    this.subscriptions.clear();
    for (const listener of this.closeListeners) listener(error);
    this.closeListeners.clear();
  }
}
