import WebSocket from 'ws';

/** What a coordinator sends: a JSON object with a `type`. */
interface Typed {
  type: string;
}

/**
 * A WebSocket to a coordinator's `/ws` without the SDK or a worker session, as anyone holding a
 * token can open one: the test writes each frame, and what comes back is kept, in order, until
 * taken. `In` is the shape the test reads messages as.
 */
export class RawSocket<In extends Typed = Typed> {
  private readonly inbox: In[] = [];
  private readonly waiting: Array<() => void> = [];
  private closedWith: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as In);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closedWith = code;
      this.wake();
    });
  }

  /**
   * Opens `wsUrl` with `token` as the bearer (no header without one). A refused handshake
   * rejects with an error whose message is the answer's body and whose `status` its status.
   */
  static open<In extends Typed = Typed>(
    wsUrl: string,
    token: string | undefined,
  ): Promise<RawSocket<In>> {
    const headers: Record<string, string> =
      token === undefined ? {} : { authorization: `Bearer ${token}` };
    const socket = new WebSocket(wsUrl, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawSocket<In>(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          reject(Object.assign(new Error(body), { status: response.statusCode })),
        );
      });
    });
  }

  /** Sends a frame: a string as it is (malformed on purpose, say), anything else as JSON. */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends `message` and resolves with the first message not yet taken: its answer. */
  async request(message: unknown): Promise<In> {
    this.send(message);
    return this.first();
  }

  /** The first message received and not yet taken, whatever its type. */
  async first(): Promise<In> {
    return this.take(() => (this.inbox.length > 0 ? 0 : -1));
  }

  /** The next message of `type`; earlier ones of other types stay for later. */
  async next<T extends In['type']>(type: T): Promise<Extract<In, { type: T }>> {
    const message = await this.take(() => this.inbox.findIndex((m) => m.type === type));
    return message as Extract<In, { type: T }>;
  }

  close(): void {
    this.socket.close();
  }

  /** Resolves with the close code once the connection has closed. */
  async closed(): Promise<number> {
    while (this.closedWith === undefined) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return this.closedWith;
  }

  /** Waits until `find` names a message, then takes it; rejects once the socket has closed. */
  private async take(find: () => number): Promise<In> {
    for (;;) {
      const index = find();
      if (index >= 0) return this.inbox.splice(index, 1)[0]!;
      if (this.closedWith !== undefined) {
        throw new Error(`connection closed (${this.closedWith}) with no such message`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
