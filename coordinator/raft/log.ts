import { limitSize, type Storage } from './storage.js';
import type { Entry, Snapshot } from './types.js';

/**
 * Entries and a snapshot not yet persisted. `offset` is the index of entries[0]; anything
 * below it is read from storage.
 */
class Unstable {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  firstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.meta.index + 1 : undefined;
  }

  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.meta.index;
  }

  term(index: number): number | undefined {
    if (index < this.offset) {
      return this.snapshot?.meta.index === index ? this.snapshot.meta.term : undefined;
    }
    return this.entries[index - this.offset]?.term;
  }

  stableTo(index: number, term: number): void {
    // A conflicting append after the Ready was taken replaced these entries: keep them.
    if (index < this.offset || this.term(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.snapshot?.meta.index === index) this.snapshot = null;
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.meta.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  truncateAndAppend(entries: Entry[]): void {
    const after = entries[0]!.index;
    if (after === this.offset + this.entries.length) {
      this.entries = this.entries.concat(entries);
    } else if (after <= this.offset) {
      // Replaces unstable entries and hides stored ones from `after` on.
      this.offset = after;
      this.entries = entries.slice();
    } else {
      this.entries = this.entries.slice(0, after - this.offset).concat(entries);
    }
  }
}

/** The node's view of its log: persisted entries in storage plus the unstable tail. */
export class RaftLog {
  private readonly unstable: Unstable;
  committed: number;
  applied: number;

  constructor(
    private readonly storage: Storage,
    applied: number | undefined,
  ) {
    this.unstable = new Unstable(storage.lastIndex() + 1);
    const snapshotIndex = storage.firstIndex() - 1;
    this.committed = Math.max(storage.hardState().commit, snapshotIndex);
    this.applied = Math.min(Math.max(applied ?? snapshotIndex, snapshotIndex), this.committed);
  }

  firstIndex(): number {
    return this.unstable.firstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** Term at index in [firstIndex - 1, lastIndex]; undefined outside (compacted or absent). */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    return this.unstable.term(index) ?? this.storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi) up to maxSize; lo must be at least firstIndex. */
  slice(lo: number, hi: number, maxSize: number): Entry[] {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) throw new Error(`slice from ${lo} is compacted`);
    let out: Entry[] = [];
    const offset = this.unstable.offset;
    if (lo < offset) {
      out = this.storage.entries(lo, Math.min(hi, offset), maxSize);
      if (out.length < Math.min(hi, offset) - lo) return out;
    }
    if (hi > offset) {
      const from = Math.max(lo, offset) - offset;
      out = out.concat(this.unstable.entries.slice(from, hi - offset));
    }
    return limitSize(out, maxSize);
  }

  /** Entries from `from` to the end, up to maxSize. */
  entriesFrom(from: number, maxSize: number): Entry[] {
    return this.slice(from, this.lastIndex() + 1, maxSize);
  }

  /** Appends after a successful prevIndex/prevTerm match; returns the new last matching index. */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    commit: number,
    entries: Entry[],
  ): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= this.committed) {
        throw new Error(
          `entry ${conflict} conflicts with committed entry (commit ${this.committed})`,
        );
      }
      this.append(entries.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  append(entries: Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    if (entries[0]!.index - 1 < this.committed) {
      throw new Error(`append at ${entries[0]!.index} is below commit ${this.committed}`);
    }
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** Index of the first entry that is new or has another term here; 0 if all match. */
  private findConflict(entries: Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** Largest index <= `index` whose term is <= `term`: where a rejected leader should probe. */
  findConflictByTerm(index: number, term: number): number {
    if (index > this.lastIndex()) return index;
    for (;;) {
      const t = this.term(index);
      if (t === undefined || t <= term) return index;
      index--;
    }
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new Error(`commit ${index} is past the last index ${this.lastIndex()}`);
    }
    this.committed = index;
  }

  /** Commits `index` only if its entry is from `term`: the Figure 8 rule. */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    if (index > this.committed || index < this.applied) {
      throw new Error(`applied ${index} is outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
  }

  /** The state machine was restored from a snapshot at `index`. */
  appliedSnapshot(index: number): void {
    this.applied = Math.max(this.applied, index);
  }

  hasNextCommitted(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  nextCommitted(maxSize: number): Entry[] {
    const from = Math.max(this.applied + 1, this.firstIndex());
    return this.slice(from, this.committed + 1, maxSize);
  }

  hasUnstableEntries(): boolean {
    return this.unstable.entries.length > 0;
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  unstableSnapshot(): Snapshot | null {
    return this.unstable.snapshot;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Replaces the log with a snapshot received from the leader. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.meta.index;
    this.unstable.restore(snapshot);
  }
}
