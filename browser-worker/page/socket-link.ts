import { CLOSE_NOT_LEADER, PROTOCOL_VERSION } from '../../protocol/index.js';
import { Backoff } from '../../reconnect/index.js';
import {
  type FromSocketWorker,
  MAIN_THREAD_STALL_LIMIT_MS,
  type ToSocketWorker,
} from './socket-channel.js';

/**
 * The page's WebSocket and what keeps it connected, driven by `ToSocketWorker` requests and
 * telling `emit` what happens: in a dedicated Web Worker (socket-worker.ts), or on the page's
 * main thread where a worker's WebSocket would wait on that thread anyway (see
 * `socket-placement.ts`). A failed handshake is retried: the next coordinator of the cluster at
 * once, a new round over all of them after a growing, jittered delay. A follower's not_leader
 * close names the leader. A browser cannot see why a handshake failed, so after a round in
 * which none succeeded the page's own coordinator is asked whether it takes the token
 * (`GET /api/whoami`): a 401 or 403 there is final, anything else (no answer included) an
 * outage to wait out.
 */
export function createSocketLink(
  emit: (event: FromSocketWorker) => void,
): (request: ToSocketWorker) => void {
  const backoff = new Backoff({ initialDelayMs: 200 });
  let urls: string[] = [];
  let token = '';
  /** What is left to try in this round, in order. */
  let round: string[] = [];
  /** The leader a follower named: first in the next round. */
  let leaderHint: string | undefined;
  /** Whether a named leader was gone to at once since the coordinator last accepted this worker. */
  let followedHint = false;
  let socket: WebSocket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let mainThreadSeenAt = performance.now();
  let stopped = false;

  /** The page's own coordinator: the worker script comes from it. */
  const WHOAMI_URL = new URL('/api/whoami', location.origin).href;

  /** A WebSocket URL with the worker token: a browser cannot send an Authorization header. */
  function withToken(url: string): string | undefined {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return undefined;
      parsed.searchParams.set('token', token);
      return parsed.href;
    } catch {
      return undefined;
    }
  }

  /** Tries every coordinator once, the named leader first, one after another. */
  function startRound(): void {
    const hint = leaderHint;
    leaderHint = undefined;
    round = hint === undefined ? [...urls] : [hint, ...urls];
    tryNext();
  }

  /** The next coordinator of the round; after the last, a new round after a growing delay. */
  function tryNext(): void {
    const url = round.shift();
    if (url === undefined) void roundFailed();
    else open(url);
  }

  /** No coordinator took the connection: the token was refused (final), or wait for a new round. */
  async function roundFailed(): Promise<void> {
    const refusal = await tokenRefusal();
    if (stopped) return;
    if (refusal === undefined) {
      retryTimer = setTimeout(startRound, backoff.nextDelayMs());
      return;
    }
    stopped = true;
    emit({ event: 'refused', reason: refusal });
  }

  /** Why the page's coordinator refuses the token, or undefined if it takes it or cannot say. */
  async function tokenRefusal(): Promise<string | undefined> {
    let response: Response;
    try {
      response = await fetch(WHOAMI_URL, { headers: { Authorization: `Bearer ${token}` } });
    } catch {
      return undefined;
    }
    if (response.status !== 401 && response.status !== 403) return undefined;
    const detail = await response
      .json()
      .then((body: { error?: { message?: unknown } }) => body.error?.message)
      .catch(() => undefined);
    const said = typeof detail === 'string' ? `: ${detail.slice(0, 200)}` : '';
    return `the coordinator at ${location.origin} rejected the worker token (HTTP ${response.status}${said})`;
  }

  function open(url: string): void {
    const current = new WebSocket(url);
    socket = current;
    let opened = false;
    current.addEventListener('open', () => {
      opened = true;
      emit({ event: 'opened' });
    });
    current.addEventListener('message', (event) => {
      if (typeof event.data === 'string') emit({ event: 'message', data: event.data });
    });
    current.addEventListener('close', (event) => {
      socket = undefined;
      clearInterval(heartbeatTimer);
      if (stopped) {
        emit({ event: 'stopped' });
        return;
      }
      if (opened) emit({ event: 'closed' });
      const hint =
        event.code === CLOSE_NOT_LEADER && event.reason !== ''
          ? withToken(event.reason)
          : undefined;
      if (hint !== undefined && !followedHint) {
        // A follower named the leader: go there at once (once; a stale name waits as usual).
        followedHint = true;
        leaderHint = hint;
        startRound();
      } else if (opened) {
        leaderHint = hint;
        retryTimer = setTimeout(startRound, backoff.nextDelayMs());
      } else {
        tryNext();
      }
    });
  }

  function send(data: string): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(data);
  }

  function startHeartbeat(intervalMs: number): void {
    clearInterval(heartbeatTimer);
    const heartbeat = JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat' });
    heartbeatTimer = setInterval(() => {
      if (performance.now() - mainThreadSeenAt > MAIN_THREAD_STALL_LIMIT_MS) {
        socket?.close(4000, 'the page stopped responding');
        return;
      }
      send(heartbeat);
    }, intervalMs);
  }

  function close(): void {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(heartbeatTimer);
    if (socket === undefined) emit({ event: 'stopped' });
    else socket.close(1000, 'worker stopping');
  }

  return (request: ToSocketWorker): void => {
    switch (request.op) {
      case 'open':
        token = request.token;
        urls = request.urls.flatMap((url) => withToken(url) ?? []);
        startRound();
        return;
      case 'send':
        send(request.data);
        return;
      case 'heartbeat':
        startHeartbeat(request.intervalMs);
        return;
      case 'resetBackoff':
        backoff.reset();
        followedHint = false;
        return;
      case 'alive':
        mainThreadSeenAt = performance.now();
        return;
      case 'close':
        close();
        return;
    }
  };
}
