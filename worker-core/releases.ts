import type { LeaseRef } from '../protocol/index.js';
import { attemptKey } from './attempt-key.js';

interface PendingRelease {
  lease: LeaseRef;
  reason: string;
}

/**
 * Attempts handed back to the coordinator (the worker is draining) and not yet acknowledged
 * with `released`. They count as held (a reconnect names them in `inFlight`, so the lease is
 * not charged as lost) and are sent again after each registration until acknowledged.
 */
export class PendingReleases {
  private readonly pending = new Map<string, PendingRelease>();
  private nextRequest = 1;

  /** Adds leases; returns the ones that were not pending already. */
  add(leases: readonly LeaseRef[], reason: string): LeaseRef[] {
    const added: LeaseRef[] = [];
    for (const lease of leases) {
      const key = attemptKey(lease.taskId, lease.attempt);
      if (this.pending.has(key)) continue;
      this.pending.set(key, { lease, reason });
      added.push(lease);
    }
    return added;
  }

  remove(taskId: string, attempt: number): boolean {
    return this.pending.delete(attemptKey(taskId, attempt));
  }

  has(taskId: string, attempt: number): boolean {
    return this.pending.has(attemptKey(taskId, attempt));
  }

  leaseRefs(): LeaseRef[] {
    return [...this.pending.values()].map((entry) => entry.lease);
  }

  /** Every pending release, grouped by reason: one `release` message each. */
  byReason(): Map<string, LeaseRef[]> {
    const groups = new Map<string, LeaseRef[]>();
    for (const { lease, reason } of this.pending.values()) {
      const group = groups.get(reason);
      if (group === undefined) groups.set(reason, [lease]);
      else group.push(lease);
    }
    return groups;
  }

  /** A fresh request id for a `release` message. */
  requestId(): string {
    return `release-${this.nextRequest++}`;
  }

  get size(): number {
    return this.pending.size;
  }
}
