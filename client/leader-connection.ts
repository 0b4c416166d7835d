import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { CLOSE_NOT_LEADER } from '../protocol/index.js';
import { Backoff, type BackoffOptions, watchPings } from '../reconnect/index.js';
import { describeError } from './error-text.js';
import { CredentialsRejectedError, NoLeaderYetError, openFirstSocket } from './open-socket.js';

const DEFAULT_GIVE_UP_AFTER_MS = 60_000;
const DEFAULT_PING_INTERVAL_MS = 5_000;
/** A coordinator silent to this many pings in a row is presumed gone (a dead host sends no FIN). */
const PINGS_MISSED_BEFORE_DROP = 3;

export interface ReconnectOptions {
  /**
   * How long an outage may last before the client gives up with an error, and how long the
   * first connect waits for a cluster that is electing a leader. Default 60 s.
   */
  giveUpAfterMs?: number;
  /** Delays between rounds over the URL list; by default 100 ms doubling up to 5 s, jittered. */
  backoff?: BackoffOptions;
}

export interface LeaderConnectionOptions {
  urls: readonly string[];
  token: string | undefined;
  /** The CA (PEM) that signed a TLS coordinator's certificate, beside the system's. */
  ca?: string | undefined;
  /** Handshake time limit. */
  timeoutMs: number;
  /** `false`: a lost connection ends the client. */
  reconnect: ReconnectOptions | false;
  /** How often to ping the coordinator. Default 5 s. */
  pingIntervalMs?: number | undefined;
}

export interface LeaderConnectionEvents {
  message(raw: string): void;
  /** The socket closed and a reconnect began; `cause` says why it closed. */
  dropped(cause: Error): void;
  /** A new socket is open, to `url`, after the one to `lostUrl` dropped. */
  reconnected(lostUrl: string, url: string, cause: Error): void;
  /** Over for good: closed by this side, not reconnecting, or given up. Called once. */
  ended(error: Error): void;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** An outage: from a drop until the coordinator answers on a new socket. */
interface Outage {
  lostUrl: string;
  cause: Error;
  giveUpTimer: NodeJS.Timeout;
  lastFailure?: string;
}

/**
 * One WebSocket to the coordinator that leads, kept open: after a drop it tries the leader a
 * follower named, then every URL (each follower redirects the handshake to its leader), in
 * rounds separated by a growing, jittered delay, until an outage has lasted too long.
 */
export class LeaderConnection {
  private socket: WebSocket | undefined;
  private currentUrl: string;
  private readonly backoff: Backoff;
  private outage: Outage | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopPings: (() => void) | undefined;
  /** Why this side dropped the open socket, for the close that follows. */
  private dropReason: Error | undefined;
  /** Set once over; no reconnect follows. */
  private endError: Error | undefined;
  private leaderHint: string | undefined;
  private readonly ended: Promise<void>;
  private markEnded!: () => void;

  static async open(
    options: LeaderConnectionOptions,
    events: LeaderConnectionEvents,
  ): Promise<LeaderConnection> {
    const { socket, url } = await LeaderConnection.first(options);
    return new LeaderConnection(options, events, socket, url);
  }

  /**
   * The first socket. While a cluster elects a leader its members answer "not now"; under a
   * reconnect policy that is waited out like an outage, in backed-off rounds over the URLs
   * for at most `giveUpAfterMs`. Any other failure ends the attempt at once.
   */
  private static async first(options: LeaderConnectionOptions) {
    const { urls, token, ca, timeoutMs, reconnect } = options;
    const access = { token, ca };
    if (reconnect === false) return openFirstSocket(urls, access, timeoutMs);
    const giveUpAfterMs = reconnect.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS;
    const deadline = performance.now() + giveUpAfterMs;
    const backoff = new Backoff(reconnect.backoff);
    for (;;) {
      try {
        return await openFirstSocket(urls, access, timeoutMs);
      } catch (error) {
        if (!(error instanceof NoLeaderYetError)) throw error;
        const delayMs = backoff.nextDelayMs();
        if (performance.now() + delayMs > deadline) {
          throw new Error(`${error.message}; no leader within ${giveUpAfterMs} ms`);
        }
        await sleep(delayMs);
      }
    }
  }

  private constructor(
    private readonly options: LeaderConnectionOptions,
    private readonly events: LeaderConnectionEvents,
    socket: WebSocket,
    url: string,
  ) {
    this.backoff = new Backoff(options.reconnect === false ? {} : options.reconnect.backoff);
    this.currentUrl = url;
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
    this.attach(socket, url);
  }

  /** The coordinator of the open socket, or of the last one while reconnecting. */
  get url(): string {
    return this.currentUrl;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends on the open socket; false while there is none. */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.socket!.send(text);
    return true;
  }

  /** The coordinator answered on the current socket: an outage is over. */
  answered(): void {
    if (this.outage === undefined) return;
    clearTimeout(this.outage.giveUpTimer);
    this.outage = undefined;
    this.backoff.reset();
  }

  /** Drops the open socket (it stopped leading, or sent nonsense) and reconnects if allowed. */
  drop(reason: Error): void {
    if (this.socket === undefined) return;
    this.dropReason ??= reason;
    this.socket.terminate();
  }

  /** Ends for good with `error`: no reconnect; resolves once the socket has closed. */
  async close(error: Error): Promise<void> {
    if (this.endError === undefined) {
      this.endError = error;
      clearTimeout(this.retryTimer);
      if (this.outage !== undefined) clearTimeout(this.outage.giveUpTimer);
      if (this.socket === undefined) this.finish();
      else this.socket.close(1000);
    }
    await this.ended;
  }

  private attach(socket: WebSocket, url: string): void {
    this.socket = socket;
    this.currentUrl = url;
    this.dropReason = undefined;
    let socketError: Error | undefined;
    socket.on('message', (data) => this.events.message(rawText(data)));
    socket.on('error', (error) => {
      socketError = error;
    });
    socket.once('close', (code, reason) => {
      const detail = reason.length === 0 ? `code ${code}` : `code ${code}, ${reason}`;
      const why = socketError === undefined ? '' : `: ${describeError(socketError)}`;
      this.closed(
        url,
        this.dropReason ?? new Error(`connection to ${url} closed (${detail})${why}`),
        code === CLOSE_NOT_LEADER && reason.length > 0 ? reason.toString('utf8') : undefined,
      );
    });
    this.startPings(socket);
  }

  private startPings(socket: WebSocket): void {
    this.stopPings = watchPings(socket, {
      intervalMs: this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      misses: PINGS_MISSED_BEFORE_DROP,
      onSilent: (silentMs) =>
        this.drop(new Error(`coordinator at ${socket.url} answered no ping for ${silentMs} ms`)),
    });
  }

  private closed(url: string, cause: Error, leaderHint: string | undefined): void {
    this.stopPings?.();
    this.socket = undefined;
    if (this.endError !== undefined) {
      this.finish();
      return;
    }
    if (this.options.reconnect === false) {
      this.endError = cause;
      this.finish();
      return;
    }
    this.leaderHint = leaderHint;
    // A drop before the new coordinator answered anything continues the outage, after a delay.
    const continuing = this.outage !== undefined;
    if (!continuing) {
      const giveUpAfterMs = this.options.reconnect.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS;
      const giveUpTimer = setTimeout(() => this.giveUp(giveUpAfterMs), giveUpAfterMs);
      this.outage = { lostUrl: url, cause, giveUpTimer };
    }
    this.events.dropped(cause);
    if (continuing) this.scheduleRound();
    else void this.reconnectRound();
  }

  private scheduleRound(): void {
    this.retryTimer = setTimeout(() => void this.reconnectRound(), this.backoff.nextDelayMs());
  }

  private async reconnectRound(): Promise<void> {
    const hint = this.leaderHint;
    this.leaderHint = undefined;
    const urls = hint === undefined ? this.options.urls : [hint, ...this.options.urls];
    const { token, ca, timeoutMs } = this.options;
    try {
      const { socket, url } = await openFirstSocket(urls, { token, ca }, timeoutMs);
      const outage = this.outage;
      if (this.endError !== undefined || outage === undefined) {
        socket.terminate();
        return;
      }
      this.attach(socket, url);
      this.events.reconnected(outage.lostUrl, url, outage.cause);
    } catch (error) {
      if (this.endError !== undefined || this.outage === undefined) return;
      if (error instanceof CredentialsRejectedError) {
        this.endWith(error);
        return;
      }
      this.outage.lastFailure = describeError(error);
      this.scheduleRound();
    }
  }

  private giveUp(afterMs: number): void {
    const outage = this.outage;
    if (outage === undefined) return;
    const last = outage.lastFailure === undefined ? '' : `; last: ${outage.lastFailure}`;
    this.endWith(
      new Error(
        `${describeError(outage.cause)}; no coordinator took the connection back within ${afterMs} ms${last}`,
      ),
    );
  }

  private endWith(error: Error): void {
    this.endError = error;
    clearTimeout(this.retryTimer);
    if (this.outage !== undefined) clearTimeout(this.outage.giveUpTimer);
    this.outage = undefined;
    if (this.socket === undefined) this.finish();
    else this.socket.terminate();
  }

  private finish(): void {
    const error = this.endError!;
    this.markEnded();
    this.events.ended(error);
  }
}
