import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  RAFT_FROM_HEADER,
  type RaftBatch,
  raftStreamUrl,
} from '../../protocol/index.js';
import { Backoff } from '../../reconnect/index.js';
import { trustedCas } from '../../tls-trust/index.js';
import type { Message, NodeId } from '../raft/index.js';

export interface PeerLinkOptions {
  self: NodeId;
  peer: NodeId;
  /** The peer's `http(s)://host:port`. */
  url: string;
  token: string;
  onUnreachable: (peer: NodeId) => void;
  onWarn: (message: string) => void;
}

/**
 * One outbound WebSocket to one peer, kept open: reconnects after a jittered, growing delay.
 * Messages queued while it is down are dropped and the peer reported unreachable (Raft
 * retransmits); those queued while it is up leave as one frame per `flush`.
 */
export class PeerLink {
  private socket: WebSocket | undefined;
  private queue: Message[] = [];
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly backoff = new Backoff({ initialDelayMs: 20, maxDelayMs: 1_000 });
  private readonly wsUrl: string;

  constructor(private readonly options: PeerLinkOptions) {
    this.wsUrl = raftStreamUrl(options.url);
    this.connect();
  }

  enqueue(message: Message): void {
    this.queue.push(message);
  }

  flush(): void {
    if (this.queue.length === 0) return;
    const messages = this.queue;
    this.queue = [];
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) {
      // Dropped (Raft resends). Still connecting is no sign the peer is gone: a follower would
      // take it for its leader's death and campaign.
      if (socket?.readyState !== WebSocket.CONNECTING)
        this.options.onUnreachable(this.options.peer);
      return;
    }
    const batch: RaftBatch = { v: PROTOCOL_VERSION, type: 'raft', messages };
    socket.send(JSON.stringify(batch));
  }

  /**
   * The peer just opened its stream to us, so it is up: reconnect now rather than when the
   * backoff (up to a second) runs out. Until then everything sent to it is dropped, and a
   * restarted member's votes and acks would not reach it.
   */
  peerCameUp(): void {
    if (this.closed || this.socket !== undefined || this.retry === undefined) return;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.backoff.reset();
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.socket?.terminate();
  }

  private connect(): void {
    if (this.closed) return;
    const { token, self } = this.options;
    const socket = new WebSocket(this.wsUrl, {
      headers: { authorization: `Bearer ${token}`, [RAFT_FROM_HEADER]: self },
      handshakeTimeout: 2_000,
      perMessageDeflate: false,
      ...trustedCas(),
    });
    this.socket = socket;
    socket.on('open', () => this.backoff.reset());
    socket.on('error', () => {}); // 'close' follows and reconnects
    socket.on('unexpected-response', (_req, res) => {
      this.options.onWarn(
        `peer ${this.options.peer} refused the Raft stream (HTTP ${res.statusCode})`,
      );
      socket.terminate();
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.closed) return;
      this.options.onUnreachable(this.options.peer);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.connect();
      }, this.backoff.nextDelayMs());
    });
  }
}
