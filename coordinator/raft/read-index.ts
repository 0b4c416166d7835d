import type { Raft } from './core.js';
import { quorum } from './progress.js';
import { bcastHeartbeat, committedInCurrentTerm } from './replication.js';
import type { NodeId } from './types.js';

/** Who asked for a read: the leader's own application, or a follower that forwarded it. */
export interface ReadRequest {
  context: string;
  from: NodeId;
}

interface PendingRead {
  request: ReadRequest;
  /** The leader's commit index when the request arrived. */
  index: number;
  acks: Set<NodeId>;
}

/**
 * Reads waiting for a heartbeat round to confirm the leader still leads. A quorum of
 * acknowledgements for one request confirms it and every request queued before it.
 */
export class ReadIndexQueue {
  private readonly pending = new Map<string, PendingRead>();
  private readonly order: string[] = [];

  add(index: number, request: ReadRequest): void {
    if (this.pending.has(request.context)) return;
    this.pending.set(request.context, { request, index, acks: new Set() });
    this.order.push(request.context);
  }

  /** Records an acknowledgement; returns how many distinct voters acknowledged `context`. */
  ack(from: NodeId, context: string): number {
    const read = this.pending.get(context);
    if (!read) return 0;
    read.acks.add(from);
    return read.acks.size;
  }

  /** Removes and returns the confirmed reads: `context` and all queued before it. */
  release(context: string): { request: ReadRequest; index: number }[] {
    const at = this.order.indexOf(context);
    if (at < 0) return [];
    const released = this.order.splice(0, at + 1).map((c) => this.pending.get(c)!);
    for (const r of released) this.pending.delete(r.request.context);
    return released.map((r) => ({ request: r.request, index: r.index }));
  }

  lastContext(): string | null {
    return this.order[this.order.length - 1] ?? null;
  }
}

/** The leader registers a read and starts a heartbeat round to confirm its leadership. */
export function leaderReadIndex(r: Raft, request: ReadRequest): void {
  if (r.peers.length === 1) {
    respond(r, request, r.log.committed);
    return;
  }
  // Until it commits an entry of its term, a new leader does not know the commit index.
  if (!committedInCurrentTerm(r)) {
    r.pendingReads.push(request);
    return;
  }
  r.reads.add(r.log.committed, request);
  onReadAck(r, r.id, request.context);
  bcastHeartbeat(r, request.context);
}

/** A heartbeat acknowledgement carrying a read's context. */
export function onReadAck(r: Raft, from: NodeId, context: string): void {
  if (r.reads.ack(from, context) < quorum(r.peers.length)) return;
  for (const { request, index } of r.reads.release(context)) respond(r, request, index);
}

export function releasePendingReads(r: Raft): void {
  if (r.pendingReads.length === 0 || !committedInCurrentTerm(r)) return;
  const requests = r.pendingReads;
  r.pendingReads = [];
  for (const request of requests) leaderReadIndex(r, request);
}

function respond(r: Raft, request: ReadRequest, index: number): void {
  if (request.from === r.id) r.readStates.push({ index, context: request.context });
  else r.send({ type: 'ReadIndexResp', to: request.from, index, context: request.context });
}
