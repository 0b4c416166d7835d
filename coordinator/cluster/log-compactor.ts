import type { CoordinatorState } from '../state/index.js';
import { captureState, encodeCapture } from './state-snapshot.js';

export interface LogCompactorOptions {
  /** Applied entries after the last snapshot beyond which a new one is taken. */
  entries: number;
  /** Entries kept after the snapshot when the log is compacted. */
  tail: number;
  onError: (error: unknown) => void;
}

/** The entries a log keeps after its snapshot: a tenth of the snapshot interval. */
export function snapshotTail(entries: number): number {
  return Math.floor(entries / 10);
}

/**
 * Keeps the log short. Once more than `entries` applied entries follow the last snapshot, it
 * takes the state at the applied index (at once, cheaply) and writes it out in the background;
 * once `tail` more entries are applied, it hands that snapshot over to compact the log up to
 * it. The kept tail lets a follower that lags briefly catch up by entries, not a snapshot.
 */
export class LogCompactor {
  private pending: { index: number; data?: string } | undefined;
  /** Bumped when the state is replaced: a snapshot under way is then of a past state. */
  private generation = 0;
  /** After a snapshot failed, the applied index before which none is tried again. */
  private retryAt = 0;

  constructor(private readonly options: LogCompactorOptions) {}

  /** Starts a snapshot when one is due; the snapshot to compact to once its tail is applied. */
  poll(
    state: CoordinatorState,
    applied: number,
    snapshotIndex: number,
  ): { index: number; data: string } | undefined {
    const pending = this.pending;
    if (pending === undefined) {
      const due = applied - snapshotIndex > this.options.entries && applied >= this.retryAt;
      if (due) this.start(state, applied);
      return undefined;
    }
    if (pending.data === undefined || applied < pending.index + this.options.tail) return undefined;
    this.pending = undefined;
    return { index: pending.index, data: pending.data };
  }

  /** The state was replaced by an installed snapshot; a snapshot under way is dropped. */
  reset(): void {
    this.generation++;
    this.pending = undefined;
  }

  private start(state: CoordinatorState, index: number): void {
    const generation = this.generation;
    const pending: { index: number; data?: string } = { index };
    this.pending = pending;
    encodeCapture(captureState(state)).then(
      (data) => {
        if (this.generation === generation) pending.data = data;
      },
      (error: unknown) => {
        if (this.generation !== generation) return;
        this.pending = undefined;
        // Not again on every pass: after another tail's worth of entries.
        this.retryAt = index + this.options.tail;
        this.options.onError(error);
      },
    );
  }
}
