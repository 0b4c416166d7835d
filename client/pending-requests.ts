import type { ToClientMessage } from '../protocol/index.js';

interface PendingRequest {
  resolve(reply: ToClientMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Requests sent and not yet answered, keyed by their `id`, each with its own deadline. */
export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<string, PendingRequest>();

  constructor(
    private readonly timeoutMs: number,
    /** The coordinator the requests go to, named in timeout errors. */
    private readonly url: string,
  ) {}

  /** A fresh id and the promise of its reply; `type` only names the request in a timeout error. */
  start(type: string): { id: string; reply: Promise<ToClientMessage> } {
    const id = String(this.nextId++);
    const reply = new Promise<ToClientMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const within = `within ${this.timeoutMs} ms`;
        reject(new Error(`request '${type}' (id ${id}) to ${this.url} got no answer ${within}`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    return { id, reply };
  }

  has(id: string): boolean {
    return this.pending.has(id);
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
