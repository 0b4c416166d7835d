import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  decodeMessage,
  MAX_DISTINCT_KEYS,
  type ProtocolError,
  RAFT_FROM_HEADER,
  RaftFrame,
} from '../../protocol/index.js';
import { bearerToken } from '../auth/index.js';
import type { Message, NodeId } from '../raft/index.js';
import { PeerLink } from './peer-link.js';

export interface PeerTransportOptions {
  self: NodeId;
  /** Every member's `http(s)://host:port`, this one included. */
  peers: ReadonlyMap<NodeId, string>;
  /** The cluster secret every member presents to the others. */
  token: string;
  /** Largest frame accepted from a peer. */
  maxFrameBytes: number;
  deliver: (message: Message) => void;
  onUnreachable: (peer: NodeId) => void;
  onWarn: (message: string) => void;
}

/**
 * The peer network of one coordinator: a persistent outbound WebSocket to each other member,
 * and the inbound end (`/raft`, and the REST paths) where peers' frames are checked against
 * the cluster secret and the wire schema before they reach the node.
 */
export class PeerTransport {
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly wss: WebSocketServer;
  private readonly secret: Buffer;

  constructor(private readonly options: PeerTransportOptions) {
    this.secret = Buffer.from(options.token);
    for (const [peer, url] of options.peers) {
      if (peer === options.self) continue;
      this.links.set(
        peer,
        new PeerLink({
          self: options.self,
          peer,
          url,
          token: options.token,
          onUnreachable: options.onUnreachable,
          onWarn: options.onWarn,
        }),
      );
    }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes });
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) this.links.get(m.to)?.enqueue(m);
  }

  /** Sends what `send` queued: one frame per peer. */
  flush(): void {
    for (const link of this.links.values()) link.flush();
  }

  /** Whether a request carries the cluster secret. */
  authentic(req: IncomingMessage): boolean {
    const presented = Buffer.from(bearerToken(req.headers.authorization) ?? '');
    return presented.length === this.secret.length && timingSafeEqual(presented, this.secret);
  }

  /** The member a request comes from, if it carries the cluster secret and names a member. */
  authenticPeer(req: IncomingMessage): NodeId | undefined {
    const from = req.headers[RAFT_FROM_HEADER];
    if (!this.authentic(req) || typeof from !== 'string' || !this.options.peers.has(from)) {
      return undefined;
    }
    return from;
  }

  /** Takes over an upgrade to the peer stream; refuses strangers. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const from = this.authenticPeer(req);
    if (from === undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.links.get(from)?.peerCameUp();
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => {
        const error = this.receive((data as Buffer).toString(), from);
        if (error !== undefined) this.options.onWarn(`bad frame from ${from}: ${error.message}`);
      });
      ws.on('error', () => {});
    });
  }

  /** Decodes one frame from `from` and delivers its messages; the problem, if it is refused. */
  receive(raw: string, from: string): ProtocolError | undefined {
    // A frame's keys are the schema's: a frame of fresh ones is refused before it is parsed.
    const decoded = decodeMessage(raw, RaftFrame, { maxDistinctKeys: MAX_DISTINCT_KEYS });
    if (!decoded.ok) return decoded.error;
    const stray = decoded.message.messages.find(
      (m) => m.from !== from || m.to !== this.options.self,
    );
    if (stray !== undefined) {
      return {
        code: 'invalid_message',
        message: `a message from ${stray.from} to ${stray.to} arrived on ${from}'s stream to ${this.options.self}`,
      };
    }
    for (const m of decoded.message.messages) this.options.deliver(m);
    return undefined;
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
