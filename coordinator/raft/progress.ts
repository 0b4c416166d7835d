import type { NodeId } from './types.js';

/**
 * How the leader replicates to one follower:
 * - probe: one Append at a time until the follower's match point is found;
 * - replicate: optimistic, pipelined Appends, up to maxInflight unacknowledged;
 * - snapshot: a snapshot is on its way; nothing else is sent until it is acknowledged.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Last indices of unacknowledged Appends, oldest first. */
class Inflights {
  private readonly items: number[] = [];

  constructor(private readonly capacity: number) {}

  add(lastIndex: number): void {
    this.items.push(lastIndex);
  }

  full(): boolean {
    return this.items.length >= this.capacity;
  }

  freeUpTo(index: number): void {
    let n = 0;
    while (n < this.items.length && this.items[n]! <= index) n++;
    this.items.splice(0, n);
  }

  freeFirst(): void {
    this.items.shift();
  }

  reset(): void {
    this.items.length = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an Append was sent and is not yet answered. */
  probeSent = false;
  pendingSnapshot = 0;
  /** Leader ticks since the snapshot was sent; it is resent after an election timeout. */
  snapshotTicks = 0;
  /** Heard from within the current check-quorum window. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  becomeProbe(): void {
    const pending = this.state === 'snapshot' ? this.pendingSnapshot : 0;
    this.resetState('probe');
    this.next = Math.max(this.match + 1, pending + 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  /** Records an acknowledged index; false if it was stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * Handles a rejected Append at `rejected`; `hint` is the highest index that may match.
   * False if the rejection is stale.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** In replicate state, Appends are sent ahead of acknowledgements. */
  sentEntries(lastIndex: number): void {
    if (this.state === 'replicate') {
      this.next = lastIndex + 1;
      this.inflights.add(lastIndex);
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}

/** Smallest number of voters that makes a majority. */
export function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** The highest index that a quorum of voters has matched. */
export function quorumMatch(progress: Map<NodeId, Progress>): number {
  const matches = [...progress.values()].map((p) => p.match).sort((a, b) => b - a);
  return matches[quorum(matches.length) - 1] ?? 0;
}

export type VoteResult = 'won' | 'lost' | 'pending';

export function tally(votes: Map<NodeId, boolean>, voters: number): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const v of votes.values()) {
    if (v) granted++;
    else rejected++;
  }
  const q = quorum(voters);
  if (granted >= q) return 'won';
  if (rejected > voters - q) return 'lost';
  return 'pending';
}
