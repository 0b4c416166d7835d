import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { CLOSE_NOT_LEADER, PROTOCOL_VERSION, type WorkerToCoordinator } from '../protocol/index.js';
import { Backoff, type BackoffOptions, watchPings } from '../reconnect/index.js';
import { trustedCas } from '../tls-trust/index.js';
import type { ConnectionHandlers, WorkerConnection } from '../worker-core/index.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long a clean close may take at shutdown before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 1_000;
/** A coordinator silent to pings for this many heartbeats, and at least this long, is gone. */
const PONG_MISSES_BEFORE_DROP = 3;
const MIN_SILENCE_BEFORE_DROP_MS = 5_000;

export interface ConnectionOptions {
  urls: string[];
  token?: string | undefined;
  logger: Logger;
  backoff?: BackoffOptions | undefined;
  handlers: ConnectionHandlers;
}

/** A handshake the coordinator refused for the credentials: trying again cannot help. */
interface Refusal {
  refused: string;
}

/**
 * Keeps one WebSocket open to a coordinator. Each round tries the URLs in order; when all of
 * them fail, the next round waits for a growing, jittered delay. A coordinator that refuses
 * the token (HTTP 401 or 403) ends the tries: that is final, not an outage.
 */
export class CoordinatorConnection implements WorkerConnection {
  private readonly backoff: Backoff;
  private socket: WebSocket | undefined;
  /** The coordinator of the current (or last) connection; artifacts are fetched from it. */
  lastUrl: string | undefined;
  private connecting: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopHeartbeat: (() => void) | undefined;
  private stopped = false;
  /** The leader a follower named: tried first in the next round. */
  private leaderHint: string | undefined;
  /** Whether the last round went straight to a named leader: the next one waits its delay. */
  private followedHint = false;

  constructor(private readonly options: ConnectionOptions) {
    this.backoff = new Backoff(options.backoff);
  }

  start(): void {
    void this.connectRound();
  }

  /** Sends on the open socket; false when there is none. */
  send(message: WorkerToCoordinator): boolean {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** The coordinator accepted this worker: later outages start again from the shortest delay. */
  resetBackoff(): void {
    this.backoff.reset();
    this.followedHint = false;
  }

  /**
   * Sends a heartbeat every `intervalMs` until the socket closes. Each beat also pings; a
   * coordinator that answers no ping for several beats (a dead peer never closes the TCP
   * connection) is presumed gone and the socket dropped.
   */
  startHeartbeat(intervalMs: number): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.stopHeartbeat?.();
    this.stopHeartbeat = watchPings(socket, {
      intervalMs,
      misses: PONG_MISSES_BEFORE_DROP,
      minSilenceMs: MIN_SILENCE_BEFORE_DROP_MS,
      onSilent: (silenceLimitMs) => {
        this.options.logger.warn(
          { silenceLimitMs },
          'coordinator stopped answering pings; reconnecting',
        );
        socket.terminate();
      },
      onBeat: () => this.send({ v: PROTOCOL_VERSION, type: 'heartbeat' }),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat?.();
    this.connecting?.terminate();
    const socket = this.socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const dropTimer = setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS);
      socket.once('close', () => {
        clearTimeout(dropTimer);
        resolve();
      });
      socket.close(1000, 'worker stopping');
    });
  }

  private async connectRound(): Promise<void> {
    const hint = this.leaderHint;
    this.leaderHint = undefined;
    const urls = hint === undefined ? this.options.urls : [hint, ...this.options.urls];
    for (const url of urls) {
      const opened = await this.open(url);
      if (this.stopped) {
        if (opened instanceof WebSocket) opened.terminate();
        return;
      }
      if (opened instanceof WebSocket) {
        this.attach(opened, url);
        return;
      }
      if (opened !== undefined) {
        this.stopped = true;
        this.options.handlers.refused(opened.refused);
        return;
      }
    }
    this.scheduleRound();
  }

  private scheduleRound(): void {
    if (this.stopped) return;
    const delayMs = this.backoff.nextDelayMs();
    this.options.logger.warn({ delayMs }, 'no coordinator reachable; retrying');
    this.retryTimer = setTimeout(() => void this.connectRound(), delayMs);
  }

  /** Resolves with the open socket, the refusal of the token, or undefined when unreachable. */
  private open(url: string): Promise<WebSocket | Refusal | undefined> {
    const { token, logger } = this.options;
    return new Promise((resolve) => {
      let socket: WebSocket;
      try {
        const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
        socket = new WebSocket(url, {
          headers,
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
          ...trustedCas(),
        });
      } catch (err) {
        logger.error({ url, err: (err as Error).message }, 'invalid coordinator URL');
        resolve(undefined);
        return;
      }
      this.connecting = socket;
      let rejected = false;
      let refusal: Refusal | undefined;
      const onRejected = (_request: unknown, response: IncomingMessage) => {
        rejected = true;
        const problem = refusalOf(url, response.statusCode, token);
        if (problem === undefined) {
          logger.warn(
            { url, status: response.statusCode },
            'coordinator refused the WebSocket handshake',
          );
        } else {
          refusal = { refused: problem };
        }
        socket.terminate();
      };
      const onError = (err: Error) => {
        if (!rejected) logger.warn({ url, err: err.message }, 'cannot connect to coordinator');
      };
      const settle = (opened: WebSocket | Refusal | undefined) => {
        this.connecting = undefined;
        socket.off('unexpected-response', onRejected);
        socket.off('error', onError);
        socket.off('open', onOpen);
        socket.off('close', onClose);
        resolve(opened);
      };
      const onOpen = () => settle(socket);
      const onClose = () => settle(refusal);
      socket.on('unexpected-response', onRejected);
      socket.on('error', onError);
      socket.on('open', onOpen);
      socket.on('close', onClose);
    });
  }

  private attach(socket: WebSocket, url: string): void {
    const { logger, handlers } = this.options;
    this.socket = socket;
    this.lastUrl = url;
    logger.info({ url }, 'connected to coordinator');
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        logger.warn('ignoring binary message from coordinator');
        return;
      }
      handlers.message(data.toString());
    });
    socket.on('error', (err) => logger.warn({ url, err: err.message }, 'coordinator socket error'));
    socket.once('close', (code, reason) => {
      this.socket = undefined;
      this.stopHeartbeat?.();
      if (this.stopped) return;
      logger.warn({ url, code, reason: reason.toString() }, 'coordinator connection closed');
      this.leaderHint = code === CLOSE_NOT_LEADER ? reason.toString() || undefined : undefined;
      if (this.leaderHint !== undefined && !this.followedHint) {
        // A follower named the leader: go there at once (once; a stale name waits as usual).
        this.followedHint = true;
        this.retryTimer = setTimeout(() => void this.connectRound(), 0);
      } else {
        this.scheduleRound();
      }
      handlers.closed();
    });
    handlers.opened();
  }
}

/** What a refused handshake says about the credentials; undefined for any other refusal. */
function refusalOf(
  url: string,
  status: number | undefined,
  token: string | undefined,
): string | undefined {
  if (status === 401) {
    return token
      ? `the coordinator at ${url} rejected the worker token (HTTP 401): it is wrong or revoked`
      : `the coordinator at ${url} requires a worker token (HTTP 401) and none was given`;
  }
  if (status === 403) {
    return `the coordinator at ${url} does not let this token register workers (HTTP 403)`;
  }
  return undefined;
}
