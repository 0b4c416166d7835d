import type { NodeId, RaftStatus } from '../raft/index.js';
import { NotLeaderError } from './not-leader.js';

/** What a hand-over needs of the Raft node. */
export interface TransferSource {
  status(): RaftStatus;
  followers(): Map<NodeId, { match: number; active: boolean }>;
  /** Starts the transfer (the node catches `to` up, then sends it TimeoutNow). */
  transferLeadership(to: NodeId): boolean;
}

export interface TransferOutcome {
  from: NodeId;
  to: NodeId;
  /** Who leads when the wait ended (null: an election is still on). */
  leader: NodeId | null;
  /** Whether another member leads now. */
  handedOver: boolean;
  ms: number;
}

/** A transfer asked for something that cannot be: an unknown member, or this one. */
export class TransferRequestError extends Error {
  readonly code = 'invalid_message';
}

/** The follower to hand leadership to: one heard from recently, with the longest log. */
export function mostCaughtUp(
  followers: Map<NodeId, { match: number; active: boolean }>,
): NodeId | undefined {
  let best: { id: NodeId; match: number; active: boolean } | undefined;
  for (const [id, f] of followers) {
    const better =
      best === undefined ||
      (f.active && !best.active) ||
      (f.active === best.active && f.match > best.match);
    if (better) best = { id, ...f };
  }
  return best?.id;
}

interface Waiting {
  from: NodeId;
  to: NodeId;
  startedAt: number;
  timer: NodeJS.Timeout;
  resolve: (outcome: TransferOutcome) => void;
}

/**
 * Leadership transfer for a member that leads: picks the transferee (or takes the one asked
 * for), starts the transfer and resolves once another member leads, or when `timeoutMs` ends
 * with `handedOver: false` (the node gives the transfer up by itself after an election timeout).
 */
export class LeadershipHandOver {
  private readonly waiting = new Set<Waiting>();

  constructor(
    private readonly node: TransferSource,
    /** Has the host work the node's Ready (the transfer's messages). */
    private readonly kick: () => void,
  ) {}

  start(to: NodeId | undefined, timeoutMs: number): Promise<TransferOutcome> {
    const status = this.node.status();
    if (status.role !== 'leader') {
      return Promise.reject(
        new NotLeaderError(
          `${status.id} does not lead (the leader is ${status.leader ?? 'unknown'}); ask the leader to transfer`,
        ),
      );
    }
    const followers = this.node.followers();
    const target = to ?? mostCaughtUp(followers);
    if (target === undefined || !followers.has(target)) {
      const members = [...followers.keys()].join(', ');
      return Promise.reject(
        new TransferRequestError(
          target === undefined
            ? 'this cluster has no other member to hand leadership to'
            : `cannot hand leadership to '${target}': not another member of this cluster (${members})`,
        ),
      );
    }
    this.node.transferLeadership(target);
    this.kick();
    return new Promise((resolve) => {
      const waiting: Waiting = {
        from: status.id,
        to: target,
        startedAt: Date.now(),
        resolve,
        timer: setTimeout(() => this.finish(waiting), timeoutMs),
      };
      this.waiting.add(waiting);
    });
  }

  /** After the node changed: settles the transfers that are done. */
  check(): void {
    if (this.waiting.size === 0) return;
    const { id, leader } = this.node.status();
    if (leader === null || leader === id) return;
    for (const w of this.waiting) this.finish(w);
  }

  /** Ends every wait now, as it stands. */
  close(): void {
    for (const w of this.waiting) this.finish(w);
  }

  private finish(w: Waiting): void {
    if (!this.waiting.delete(w)) return;
    clearTimeout(w.timer);
    const { id, leader } = this.node.status();
    w.resolve({
      from: w.from,
      to: w.to,
      leader,
      handedOver: leader !== null && leader !== id,
      ms: Date.now() - w.startedAt,
    });
  }
}
