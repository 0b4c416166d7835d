import { createServer } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { WorkerToCoordinator } from '../../../protocol/index.js';

type MessageOf<T extends WorkerToCoordinator['type']> = Extract<WorkerToCoordinator, { type: T }>;

/** A stand-in coordinator that records what a worker sends and lets the test answer. */
export class FakeCoordinator {
  readonly handshakes: { authorization: string | undefined }[] = [];
  private readonly received = new Map<string, WorkerToCoordinator[]>();
  private readonly waiting = new Map<string, ((message: WorkerToCoordinator) => void)[]>();
  private socket: WebSocket | undefined;

  private readonly server: WebSocketServer;

  /** With a token, handshakes without `Authorization: Bearer <token>` get HTTP 401. */
  private constructor(token: string | undefined) {
    this.server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/ws',
      verifyClient: (info, accept) => {
        const authorization = info.req.headers.authorization;
        this.handshakes.push({ authorization });
        if (token === undefined || authorization === `Bearer ${token}`) accept(true);
        else accept(false, 401);
      },
    });
    this.server.on('connection', (socket) => {
      this.socket = socket;
      socket.on('message', (data) => this.deliver(JSON.parse(data.toString())));
    });
  }

  static async start(token?: string): Promise<FakeCoordinator> {
    const fake = new FakeCoordinator(token);
    await new Promise((resolve) => fake.server.once('listening', resolve));
    return fake;
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    return `ws://127.0.0.1:${address.port}/ws`;
  }

  /** The next message of this type that the test has not taken yet. */
  next<T extends WorkerToCoordinator['type']>(type: T): Promise<MessageOf<T>> {
    const queued = this.received.get(type)?.shift();
    if (queued !== undefined) return Promise.resolve(queued as MessageOf<T>);
    return new Promise((resolve) => {
      const waiters = this.waiting.get(type) ?? [];
      waiters.push((message) => resolve(message as MessageOf<T>));
      this.waiting.set(type, waiters);
    });
  }

  /** Messages of this type received and not yet taken. */
  pending(type: WorkerToCoordinator['type']): WorkerToCoordinator[] {
    return this.received.get(type) ?? [];
  }

  send(message: unknown): void {
    this.socket?.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Cuts the worker off without a closing handshake, as a crash or network loss would. */
  dropConnection(): void {
    this.socket?.terminate();
  }

  /**
   * Closes the connection in order: everything sent before reaches the worker first. (After
   * `dropConnection` a message just sent may be lost with the socket, as on a real network.)
   */
  closeConnection(): void {
    this.socket?.close(1001, 'going away');
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private deliver(message: WorkerToCoordinator): void {
    const waiter = this.waiting.get(message.type)?.shift();
    if (waiter !== undefined) {
      waiter(message);
      return;
    }
    const queue = this.received.get(message.type) ?? [];
    queue.push(message);
    this.received.set(message.type, queue);
  }
}

/** A ws:// URL on which nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return `ws://127.0.0.1:${address.port}/ws`;
}
