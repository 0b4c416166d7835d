import type { ToClientMessage } from '../protocol/index.js';

interface PendingRequest {
  type: string;
  /** The request as sent, to send again on a new connection. */
  text: string;
  /** Whether it may be sent again after the connection it went out on dropped. */
  replayable: boolean;
  resolve(reply: ToClientMessage): void;
  reject(error: Error): void;
  /** Runs only while the request is out on an open connection. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Requests not yet answered, keyed by their `id`. Each has a deadline while it is out on a
 * connection; when the connection drops, the replayable ones wait to be sent again.
 */
export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<string, PendingRequest>();

  constructor(private readonly timeoutMs: number) {}

  /** A fresh id and the promise of its reply; `encode` writes the request with that id. */
  start(
    type: string,
    encode: (id: string) => string,
    replayable: boolean,
  ): { id: string; text: string; reply: Promise<ToClientMessage> } {
    const id = String(this.nextId++);
    const text = encode(id);
    const reply = new Promise<ToClientMessage>((resolve, reject) => {
      this.pending.set(id, { type, text, replayable, resolve, reject, timer: undefined });
    });
    return { id, text, reply };
  }

  /** The request went out to `url`: its deadline starts. */
  sent(id: string, url: string): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    clearTimeout(request.timer);
    request.timer = setTimeout(() => {
      this.pending.delete(id);
      const within = `within ${this.timeoutMs} ms`;
      request.reject(
        new Error(`request '${request.type}' (id ${id}) to ${url} got no answer ${within}`),
      );
    }, this.timeoutMs);
  }

  /** The connection dropped: the replayable requests wait without a deadline, the rest fail. */
  connectionLost(error: Error): void {
    for (const [id, request] of [...this.pending]) {
      if (request.replayable) {
        clearTimeout(request.timer);
        request.timer = undefined;
      } else {
        this.reject(id, error);
      }
    }
  }

  /** Every request still waiting for an answer, oldest first, to send on a new connection. */
  unanswered(): { id: string; text: string }[] {
    return [...this.pending].map(([id, { text }]) => ({ id, text }));
  }

  has(id: string): boolean {
    return this.pending.has(id);
  }

  isReplayable(id: string): boolean {
    return this.pending.get(id)?.replayable === true;
  }

  resolve(id: string, reply: ToClientMessage): void {
    this.take(id)?.resolve(reply);
  }

  reject(id: string, error: Error): void {
    this.take(id)?.reject(error);
  }

  rejectAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, error);
  }

  private take(id: string): PendingRequest | undefined {
    const request = this.pending.get(id);
    if (request === undefined) return undefined;
    clearTimeout(request.timer);
    this.pending.delete(id);
    return request;
  }
}
