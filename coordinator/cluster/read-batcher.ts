import { randomBytes } from 'node:crypto';
import type { NodeId, ReadState } from '../raft/index.js';
import { NotLeaderError } from './not-leader.js';

/** What the batcher needs of the Raft node. */
export interface ReadIndexSource {
  /** Starts a ReadIndex round with this context; false when no leader is known. */
  readIndex(context: string): boolean;
  /** The term and leader this member sees now. */
  view(): { term: number; leader: NodeId | null };
}

export interface ReadBatcherOptions {
  /** A read not safe within this long is refused. */
  timeoutMs: number;
  /** A round with no answer within this long is started again (a lost message, a dead leader). */
  retryMs: number;
  now: () => number;
  /** Asks for a `flush()` soon (the host's next pass over the node). */
  wake: () => void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  deadline: number;
}

interface Round {
  context: string;
  waiters: Waiter[];
  startedAt: number;
  term: number;
  leader: NodeId | null;
}

/**
 * Linearizable reads at this member, batched: the reads that arrive before the host's next pass
 * share one ReadIndex round, and those that arrive while a round is in flight wait for the next
 * one, so there is at most one round in flight however many reads come. A read is released once its round is confirmed and this
 * member has applied up to the round's index; it is refused at its deadline otherwise.
 */
export class ReadBatcher {
  private next: Waiter[] = [];
  private round: Round | undefined;
  /** Confirmed rounds waiting for the apply, in index order. */
  private confirmed: Array<{ index: number; waiters: Waiter[] }> = [];
  private applied: number;
  private seq = 0;
  /** Contexts must be unique across the group and across this member's restarts. */
  private readonly nonce = randomBytes(6).toString('hex');
  private started = 0;

  constructor(
    private readonly source: ReadIndexSource,
    private readonly options: ReadBatcherOptions,
    applied: number,
  ) {
    this.applied = applied;
  }

  read(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.next.push({ resolve, reject, deadline: this.options.now() + this.options.timeoutMs });
      if (this.round === undefined) this.options.wake();
    });
  }

  /** Starts a round for the reads waiting, unless one is in flight. */
  flush(): void {
    if (this.round === undefined && this.next.length > 0) this.startRound();
  }

  /** After each Ready: the confirmed reads it carried and the index now applied. */
  onReady(readStates: ReadState[], applied: number): void {
    this.applied = applied;
    for (const state of readStates) {
      if (state.context !== this.round?.context) continue; // a round given up on
      this.confirmed.push({ index: state.index, waiters: this.round.waiters });
      this.round = undefined;
    }
    this.releaseApplied();
    this.flush();
  }

  /**
   * On the clock: refuses reads past their deadline and starts a round again when it can no
   * longer be answered (the term or leader changed) or its answer is overdue.
   */
  tick(): void {
    const now = this.options.now();
    this.expire(now);
    const round = this.round;
    if (round !== undefined) {
      const view = this.source.view();
      const moved = view.term !== round.term || view.leader !== round.leader;
      if (!moved && now - round.startedAt < this.options.retryMs) return;
      this.round = undefined;
      this.next = [...round.waiters, ...this.next];
    }
    this.flush();
  }

  /** Refuses every waiting read. */
  close(reason: string): void {
    const error = new NotLeaderError(reason);
    for (const w of this.all()) w.reject(error);
    this.next = [];
    this.round = undefined;
    this.confirmed = [];
  }

  /** ReadIndex rounds started so far. */
  get rounds(): number {
    return this.started;
  }

  /** Reads not yet released. */
  get waiting(): number {
    return this.all().length;
  }

  private startRound(): void {
    const view = this.source.view();
    const context = `${this.nonce}:${++this.seq}`;
    // Without a leader the reads stay in `next`; each tick tries again until their deadline.
    if (!this.source.readIndex(context)) return;
    this.started++;
    this.round = { context, waiters: this.next, startedAt: this.options.now(), ...view };
    this.next = [];
  }

  private releaseApplied(): void {
    while (this.confirmed.length > 0 && this.confirmed[0]!.index <= this.applied) {
      for (const w of this.confirmed.shift()!.waiters) w.resolve();
    }
  }

  private expire(now: number): void {
    const overdue = (w: Waiter) => w.deadline <= now;
    if (!this.all().some(overdue)) return;
    const error = new NotLeaderError(this.whyNotSafe());
    const keep = (waiters: Waiter[]) =>
      waiters.filter((w) => {
        if (!overdue(w)) return true;
        w.reject(error);
        return false;
      });
    this.next = keep(this.next);
    if (this.round !== undefined) this.round.waiters = keep(this.round.waiters);
    for (const c of this.confirmed) c.waiters = keep(c.waiters);
  }

  private whyNotSafe(): string {
    const waitMs = this.options.timeoutMs;
    const pending = this.confirmed[this.confirmed.length - 1];
    if (pending !== undefined && this.round === undefined && this.next.length === 0) {
      return `this member has applied the log up to ${this.applied} of ${pending.index} and did not catch up within ${waitMs} ms; retry, or read at another member`;
    }
    const { leader } = this.source.view();
    if (leader === null) {
      return `no leader is known, so no read can be confirmed (waited ${waitMs} ms); retry once the cluster has elected one`;
    }
    return `the leader ${leader} did not confirm the read within ${waitMs} ms (it may have failed or lost its quorum); retry shortly`;
  }

  private all(): Waiter[] {
    return [
      ...this.next,
      ...(this.round?.waiters ?? []),
      ...this.confirmed.flatMap((c) => c.waiters),
    ];
  }
}
