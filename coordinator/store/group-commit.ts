import type Database from 'better-sqlite3';
import type { ProtocolError } from '../../protocol/index.js';
import { apply, type Command, type CoordinatorState, type StateEvent } from '../state/index.js';
import { EventWriter } from './sqlite-store.js';

interface Pending {
  command: Command;
  done: ((events: StateEvent[]) => void) | undefined;
}

/** Where the edges send commands: a GroupCommit alone, or the Raft log in cluster mode. */
export interface CommandSink {
  readonly state: CoordinatorState;
  /**
   * Queues a command; `done` runs once it is durable (and, in a cluster, committed). In a
   * cluster `failed` runs instead when this member does not lead or stops leading first.
   */
  submit(
    command: Command,
    done?: (events: StateEvent[]) => void,
    failed?: (error: ProtocolError) => void,
  ): void;
  /** Resolves once durable; in a cluster rejects with a `NotLeaderError` as `failed` above. */
  submitAndWait(command: Command): Promise<StateEvent[]>;
}

export interface GroupCommitOptions {
  /** Commands to apply after each batch within the same transaction (the scheduler's placements). */
  followUp: (state: CoordinatorState) => Command | undefined;
  /** Receives every event of a batch once the batch is durable. */
  onCommitted: (events: StateEvent[]) => void;
  onBatch?: (stats: { commands: number; ms: number }) => void;
  /**
   * A batch failed to commit: memory may now be ahead of disk, so the caller must stop the
   * process (fail-stop) and let a restart rebuild the state from disk.
   */
  onFatal: (error: unknown) => void;
}

/**
 * Applies commands in batches: every command that arrives while a batch is pending joins it,
 * the whole batch (and the placements it makes possible) is written in one transaction, and
 * only then are callers answered and events announced. A caller is never told about a change
 * that a crash could take back.
 */
export class GroupCommit implements CommandSink {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly writer: EventWriter;
  private readonly transaction: (batch: Pending[], alsoWrite?: () => void) => StateEvent[][];

  constructor(
    db: Database.Database,
    readonly state: CoordinatorState,
    private readonly options: GroupCommitOptions,
  ) {
    this.writer = new EventWriter(db);
    this.transaction = db.transaction((batch: Pending[], alsoWrite?: () => void) => {
      const results = this.applyBatch(batch);
      alsoWrite?.();
      return results;
    });
  }

  /**
   * Queues a command for the next batch. `done` runs once the batch is durable, before the
   * batch's events are announced, so a reply always precedes the effects it caused.
   */
  submit(command: Command, done?: (events: StateEvent[]) => void): void {
    if (this.closed) return; // shutting down: the database is gone; a restart reloads the state
    this.queue.push({ command, done });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  submitAndWait(command: Command): Promise<StateEvent[]> {
    return new Promise((resolve) => this.submit(command, resolve));
  }

  /** Commits what is queued, then refuses further commands (shutdown). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /**
   * Applies already ordered commands (a cluster's committed log entries) now, as one batch,
   * with `alsoWrite` in the same transaction; callers and listeners are told as after a flush.
   */
  commitNow(
    batch: Array<{ command: Command; done?: ((events: StateEvent[]) => void) | undefined }>,
    alsoWrite: () => void,
  ): void {
    this.commitBatch(
      batch.map(({ command, done }) => ({ command, done })),
      alsoWrite,
    );
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.commitBatch(batch);
  }

  private commitBatch(batch: Pending[], alsoWrite?: () => void): void {
    const started = performance.now();
    let results: StateEvent[][];
    try {
      results = this.transaction(batch, alsoWrite);
    } catch (error) {
      this.writer.discard();
      this.options.onFatal(error);
      return;
    }
    const all: StateEvent[] = [];
    batch.forEach((p, i) => {
      const events = results[i]!;
      for (const e of events) all.push(e);
      p.done?.(events);
    });
    for (const e of results[batch.length] ?? []) all.push(e);
    this.options.onBatch?.({ commands: batch.length, ms: performance.now() - started });
    if (all.length > 0) this.options.onCommitted(all);
  }

  private applyBatch(batch: Pending[]): StateEvent[][] {
    const results: StateEvent[][] = [];
    let changed = false;
    for (const { command } of batch) {
      const events = apply(this.state, command);
      // A tick changes what is placeable (backoffs ran out) without an event of its own.
      if (events.length > 0 || command.type === 'Tick') changed = true;
      this.writer.collect(events);
      results.push(events);
    }
    const followUpEvents: StateEvent[] = [];
    if (changed) {
      const next = this.options.followUp(this.state);
      if (next !== undefined) {
        const events = apply(this.state, next);
        this.writer.collect(events);
        followUpEvents.push(...events);
      }
    }
    this.writer.flush();
    results.push(followUpEvents);
    return results;
  }
}
