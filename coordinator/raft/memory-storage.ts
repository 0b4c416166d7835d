import { type DurableStorage, EMPTY_SNAPSHOT, limitSize, type PersistUpdate } from './storage.js';
import type { Entry, HardState, Snapshot } from './types.js';

/** In-memory durable storage: what survives a crash in the simulation and in unit tests. */
export class MemoryStorage implements DurableStorage {
  private hs: HardState = { term: 0, vote: null, commit: 0 };
  private snap: Snapshot = EMPTY_SNAPSHOT;
  /** ents[i] has index snap.meta.index + 1 + i. */
  private ents: Entry[] = [];

  hardState(): HardState {
    return { ...this.hs };
  }

  firstIndex(): number {
    return this.snap.meta.index + 1;
  }

  lastIndex(): number {
    return this.snap.meta.index + this.ents.length;
  }

  term(index: number): number | undefined {
    const offset = this.snap.meta.index;
    if (index === offset) return this.snap.meta.term;
    if (index < offset) return undefined;
    return this.ents[index - offset - 1]?.term;
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo > hi) {
      throw new Error(`entries [${lo}, ${hi}) out of [${this.firstIndex()}, ${this.lastIndex()}]`);
    }
    const offset = this.snap.meta.index + 1;
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  persist(update: PersistUpdate): void {
    if (update.snapshot) this.applySnapshot(update.snapshot);
    if (update.entries.length > 0) this.append(update.entries);
    if (update.hardState) this.hs = { ...update.hardState };
    if (update.compaction) this.compact(update.compaction);
  }

  /** A snapshot from the leader replaces the whole log. */
  private applySnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.index <= this.snap.meta.index) return;
    this.snap = snapshot;
    this.ents = [];
  }

  private append(entries: Entry[]): void {
    const first = entries[0]!.index;
    if (first > this.lastIndex() + 1) {
      throw new Error(`append at ${first} leaves a gap after ${this.lastIndex()}`);
    }
    const kept = entries.filter((e) => e.index > this.snap.meta.index);
    if (kept.length === 0) return;
    const start = kept[0]!.index - this.snap.meta.index - 1;
    this.ents = this.ents.slice(0, start).concat(kept);
  }

  private compact(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    if (index <= this.snap.meta.index) return;
    if (index > this.lastIndex()) {
      throw new Error(`compaction at ${index} is past the last index ${this.lastIndex()}`);
    }
    this.ents = this.ents.slice(index - this.snap.meta.index);
    this.snap = snapshot;
  }
}
