import type { Entry, HardState, Ready, Snapshot } from './types.js';

/**
 * The durable state the node reads: what earlier Readies were persisted as. The node never
 * writes it; the application does, through `persist`, before it acts on a Ready.
 */
export interface Storage {
  hardState(): HardState;
  /** Index of the first entry still stored (the snapshot's index + 1). */
  firstIndex(): number;
  /** Index of the last stored entry, or the snapshot's index when there is none. */
  lastIndex(): number;
  /** Term at `index` for index in [firstIndex - 1, lastIndex]; otherwise undefined. */
  term(index: number): number | undefined;
  /** Entries in [lo, hi), within [firstIndex, lastIndex + 1); at least one if any, then up to maxSize. */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  snapshot(): Snapshot;
}

export type PersistUpdate = Pick<Ready, 'hardState' | 'entries' | 'snapshot' | 'compaction'>;

export interface DurableStorage extends Storage {
  /** Writes one Ready's durable part atomically. */
  persist(update: PersistUpdate): void;
}

/** Approximate size of an entry, used for the message and apply budgets. */
export function entrySize(entry: Entry): number {
  return entry.data.length + 16;
}

/** Takes entries while they fit in maxSize, always at least the first. */
export function limitSize(entries: Entry[], maxSize: number): Entry[] {
  let size = 0;
  for (let i = 0; i < entries.length; i++) {
    size += entrySize(entries[i]!);
    if (i > 0 && size > maxSize) return entries.slice(0, i);
  }
  return entries;
}

export const EMPTY_SNAPSHOT: Snapshot = { meta: { index: 0, term: 0 }, data: '' };
