import type { LeaseRef, ResultReport } from '../protocol/index.js';
import { attemptKey } from './attempt-key.js';

/**
 * Results waiting for the coordinator's acknowledgement. A result stays here, across
 * reconnects, until an ack for its attempt arrives.
 */
export class Outbox {
  private readonly pending = new Map<string, { report: ResultReport; sent: boolean }>();

  add(report: ResultReport): void {
    this.pending.set(attemptKey(report.taskId, report.attempt), { report, sent: false });
  }

  /** Forgets an attempt's result (it was acknowledged, or its attempt was aborted). */
  remove(taskId: string, attempt: number): boolean {
    return this.pending.delete(attemptKey(taskId, attempt));
  }

  has(taskId: string, attempt: number): boolean {
    return this.pending.has(attemptKey(taskId, attempt));
  }

  /** Results not yet sent on the current connection, now marked sent. */
  takeUnsent(): ResultReport[] {
    return this.take((entry) => !entry.sent);
  }

  /** Every pending result, for resending after a (re)registration. */
  takeAll(): ResultReport[] {
    return this.take(() => true);
  }

  leaseRefs(): LeaseRef[] {
    return [...this.pending.values()].map(({ report: { taskId, attempt, leaseToken } }) => ({
      taskId,
      attempt,
      leaseToken,
    }));
  }

  get size(): number {
    return this.pending.size;
  }

  private take(select: (entry: { sent: boolean }) => boolean): ResultReport[] {
    const reports: ResultReport[] = [];
    for (const entry of this.pending.values()) {
      if (!select(entry)) continue;
      entry.sent = true;
      reports.push(entry.report);
    }
    return reports;
  }
}
