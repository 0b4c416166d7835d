import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import {
  CLOSE_KEY_EXPIRED,
  CLOSE_KEY_REVOKED,
  CLOSE_NOT_LEADER,
  decodeMessage,
  InboundMessage,
  LEADER_REDIRECT_HEADER,
  MAX_DISTINCT_KEYS,
  MAX_MESSAGE_LENGTHS,
  shorten,
  toWebSocketUrl,
  WS_PATH,
} from '../../protocol/index.js';
import { audited } from '../audit-stamp.js';
import { bearerToken, CREDENTIALS_PENDING, type Credentials, type Grant } from '../auth/index.js';
import type { CoordinatorContext } from '../context.js';
import type { StateEvent } from '../state/index.js';
import { DashboardWatchers } from './dashboard-watchers.js';
import { sendError } from './send.js';
import { Session } from './session.js';
import { Subscriptions } from './subscriptions.js';
import { WorkerConnections } from './worker-connections.js';

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The longest delay `setTimeout` keeps; a key expiring later is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The `/ws` endpoint for workers and clients. Authenticates the handshake, decodes and
 * validates every frame, and hands well-formed messages to the connection's session.
 */
export class WsGateway {
  readonly workers: WorkerConnections;
  private readonly subscriptions = new Subscriptions();
  private readonly dashboards: DashboardWatchers;
  private readonly wss: WebSocketServer;
  private readonly routes = new Map<string, UpgradeHandler>();
  /** The open connections of each managed key, closed at once when it is revoked. */
  private readonly byKey = new Map<string, Set<WebSocket>>();

  constructor(
    private readonly ctx: CoordinatorContext,
    private readonly credentials: Credentials | undefined,
  ) {
    this.workers = new WorkerConnections(ctx.state, ctx.logger, ctx.recentActivations);
    this.dashboards = new DashboardWatchers(ctx);
    // Frames up to 4x the limit are read so the sender gets an error naming the size; beyond
    // that the socket is closed (1009) without reading them.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: ctx.maxMessageBytes * 4 });
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Hands upgrades to `path` (the Raft peer stream) to another endpoint. */
  route(path: string, handler: UpgradeHandler): void {
    this.routes.set(path, handler);
  }

  /** Drops every worker and client (this member stopped leading: they move to the leader). */
  disconnectAll(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  /** Routes a durable batch of state events to the workers and subscribers concerned. */
  deliver(events: readonly StateEvent[]): void {
    for (const event of events) {
      if (event.type === 'KeyChanged' && event.key.revokedAt !== undefined) {
        for (const socket of this.byKey.get(event.key.id) ?? []) {
          socket.close(CLOSE_KEY_REVOKED, `key ${event.key.name} was revoked`);
        }
      }
    }
    this.workers.deliver(events);
    this.subscriptions.publish(events);
    this.dashboards.onCommitted(events);
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  close(): void {
    this.dashboards.close();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const routed = this.routes.get(url.pathname);
    if (routed !== undefined) {
      routed(req, socket, head);
      return;
    }
    if (url.pathname !== WS_PATH) {
      reject(socket, 404, `no WebSocket endpoint at ${url.pathname}; use ${WS_PATH}`);
      return;
    }
    const cluster = this.ctx.cluster;
    if (cluster !== undefined && !cluster.isLeader && req.headers[LEADER_REDIRECT_HEADER]) {
      // A client that asked for it is redirected at the handshake rather than after it.
      redirectToLeader(socket, cluster.status().leaderUrl);
      return;
    }
    if (this.credentials !== undefined && !this.credentials.ready) {
      reject(socket, 503, CREDENTIALS_PENDING);
      return;
    }
    const grant = this.authenticate(req, url);
    if (grant === undefined) {
      const presented = bearerToken(req.headers.authorization) ?? url.searchParams.get('token');
      reject(
        socket,
        401,
        presented
          ? 'invalid token (unknown, expired or revoked)'
          : 'missing token: send Authorization: Bearer <token> or ?token=',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.connected(ws, grant, req.socket.remoteAddress),
    );
  }

  private authenticate(req: IncomingMessage, url: URL): Grant | undefined {
    if (this.credentials === undefined) return { role: 'admin' };
    const token =
      bearerToken(req.headers.authorization) ?? url.searchParams.get('token') ?? undefined;
    return this.credentials.grantOf(token);
  }

  /** Keeps the connection of a managed key where its revocation finds it, and ends it on expiry. */
  private trackKey(socket: WebSocket, grant: Grant): void {
    const { keyId, expiresAt } = grant;
    if (keyId === undefined) return;
    const sockets = this.byKey.get(keyId) ?? new Set();
    this.byKey.set(keyId, sockets);
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    const watchExpiry = () => {
      if (expiresAt === undefined) return;
      const left = expiresAt - Date.now();
      if (left <= 0) socket.close(CLOSE_KEY_EXPIRED, 'the key expired');
      else timer = setTimeout(watchExpiry, Math.min(left, MAX_TIMER_MS)).unref();
    };
    watchExpiry();
    socket.once('close', () => {
      clearTimeout(timer);
      sockets.delete(socket);
      if (sockets.size === 0) this.byKey.delete(keyId);
    });
  }

  private connected(socket: WebSocket, grant: Grant, from: string | undefined): void {
    // First: a frame the socket cannot read (not UTF-8, too large) is an 'error' event, which
    // would end the process if nothing listened, even on a socket about to be refused.
    socket.on('error', (error) => this.ctx.logger.debug({ err: error }, 'ws connection error'));
    const cluster = this.ctx.cluster;
    if (cluster !== undefined && !cluster.isLeader) {
      refuseAsFollower(socket, cluster.status().leaderUrl);
      return;
    }
    this.trackKey(socket, grant);
    const session = new Session(
      this.ctx,
      socket,
      grant,
      audited(grant, from),
      this.workers,
      this.subscriptions,
      this.dashboards,
    );
    socket.on('message', (data) => {
      // A connection being closed (its key revoked) is heard no more.
      if (socket.readyState !== socket.OPEN) return;
      // One message that fails is answered and logged; it never takes the process down.
      try {
        // The default binaryType delivers every message, fragmented or not, as one Buffer.
        this.receive(socket, session, data as Buffer);
      } catch (error) {
        this.ctx.logger.error({ err: error }, 'handling a ws message failed');
        sendError(socket, {
          code: 'internal',
          message: `internal error handling this message: ${error instanceof Error ? shorten(error.message) : 'no details'}`,
        });
      }
    });
    socket.on('close', () => session.closed());
  }

  /** Sizes, then the sender's permission for its type, then the body: each refused cheaply. */
  private receive(socket: WebSocket, session: Session, buffer: Buffer): void {
    if (buffer.length > this.ctx.maxMessageBytes) {
      sendError(socket, {
        code: 'message_too_large',
        message: `message of ${buffer.length} bytes exceeds the limit of ${this.ctx.maxMessageBytes} bytes`,
      });
      return;
    }
    const decoded = decodeMessage(buffer.toString(), InboundMessage, {
      maxLengths: MAX_MESSAGE_LENGTHS,
      maxDistinctKeys: MAX_DISTINCT_KEYS,
      admit: (type) => session.refusal(type),
    });
    if (decoded.ok) session.handle(decoded.message);
    else {
      this.ctx.logger.debug({ error: decoded.error }, 'rejected a ws message');
      sendError(socket, decoded.error, decoded.id);
    }
  }
}

/** A follower's answer on `/ws`: an error naming the leader, then a close that carries its URL. */
function refuseAsFollower(socket: WebSocket, leaderUrl: string | null): void {
  const leaderWs = leaderWsUrl(leaderUrl);
  sendError(socket, {
    code: 'not_leader',
    message:
      leaderWs === ''
        ? 'this coordinator is a follower and no leader is known yet; try another coordinator'
        : `this coordinator is a follower; the leader is at ${leaderWs}`,
  });
  socket.close(CLOSE_NOT_LEADER, leaderWs);
}

function leaderWsUrl(leaderUrl: string | null): string {
  return leaderUrl === null ? '' : toWebSocketUrl(leaderUrl);
}

function redirectToLeader(socket: Duplex, leaderUrl: string | null): void {
  const location = leaderWsUrl(leaderUrl);
  if (location === '') {
    const body = JSON.stringify({
      error: {
        code: 'not_leader',
        message: 'this coordinator is a follower and no leader is known yet',
      },
    });
    socket.end(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    return;
  }
  socket.end(
    `HTTP/1.1 307 Temporary Redirect\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
  );
}

const REJECTIONS: Record<number, { code: string; reason: string }> = {
  401: { code: 'unauthorized', reason: 'Unauthorized' },
  404: { code: 'not_found', reason: 'Not Found' },
  503: { code: 'credentials_pending', reason: 'Service Unavailable' },
};

function reject(socket: Duplex, status: 401 | 404 | 503, message: string): void {
  const { code, reason } = REJECTIONS[status]!;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      (status === 503 ? 'Retry-After: 1\r\n' : '') +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
