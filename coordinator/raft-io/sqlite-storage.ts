import type Database from 'better-sqlite3';
import {
  type DurableStorage,
  EMPTY_SNAPSHOT,
  type Entry,
  type EntryKind,
  type HardState,
  limitSize,
  type NodeId,
  type PersistUpdate,
  type Snapshot,
} from '../raft/index.js';
import { fsynced } from './fsynced.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS raft_entries (
    idx INTEGER PRIMARY KEY,
    term INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS raft_hard_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    term INTEGER NOT NULL,
    vote TEXT,
    commit_index INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS raft_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    snapshot_index INTEGER NOT NULL,
    snapshot_term INTEGER NOT NULL,
    snapshot_data TEXT NOT NULL
  );
`;

/**
 * Data dirs written before the hard state and the snapshot had a table each kept both in one
 * `raft_state` row, rewritten whole (snapshot included) with every Ready: moved over once.
 */
const SPLIT_COMBINED_STATE = `
  INSERT INTO raft_hard_state SELECT id, term, vote, commit_index FROM raft_state;
  INSERT INTO raft_snapshot SELECT id, snapshot_index, snapshot_term, snapshot_data FROM raft_state;
  DROP TABLE raft_state;
`;

interface HardStateRow {
  term: number;
  vote: NodeId | null;
  commit_index: number;
}

interface SnapshotRow {
  snapshot_index: number;
  snapshot_term: number;
  snapshot_data: string;
}

/** How many of the latest entries are also kept in memory: what replication reads back. */
const TAIL_ENTRIES = 1_024;

type EntryRow = [idx: number, term: number, kind: EntryKind, data: string];

/**
 * Raft's durable state in SQLite: term, vote and commit, the log and the latest snapshot. Each
 * `persist` is one transaction, so a crash leaves either all of a Ready's durable part or none
 * of it. Hard state, snapshot and the latest entries are kept in memory too (the leader sends
 * and checks those); older entries are read back on demand. The snapshot (the whole coordinator
 * state) has a table of its own, written only when it changes.
 */
export class SqliteStorage implements DurableStorage {
  private hs: HardState;
  private snap: Snapshot;
  private last: number;
  /** The latest stored entries, contiguous up to `last`; empty after a restart or a snapshot. */
  private tail: Entry[] = [];
  private readonly statements;
  private readonly persistAtomically: (update: PersistUpdate) => void;

  constructor(private readonly db: Database.Database) {
    db.transaction(() => {
      db.exec(SCHEMA);
      const combined = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'raft_state'")
        .get();
      if (combined !== undefined) db.exec(SPLIT_COMBINED_STATE);
    })();
    const hs = db.prepare('SELECT * FROM raft_hard_state WHERE id = 1').get() as
      | HardStateRow
      | undefined;
    this.hs = hs
      ? { term: hs.term, vote: hs.vote, commit: hs.commit_index }
      : { term: 0, vote: null, commit: 0 };
    const snap = db.prepare('SELECT * FROM raft_snapshot WHERE id = 1').get() as
      | SnapshotRow
      | undefined;
    this.snap = snap
      ? {
          meta: { index: snap.snapshot_index, term: snap.snapshot_term },
          data: snap.snapshot_data,
        }
      : EMPTY_SNAPSHOT;
    this.statements = {
      term: db.prepare('SELECT term FROM raft_entries WHERE idx = ?').pluck(),
      range: db
        .prepare(
          'SELECT idx, term, kind, data FROM raft_entries WHERE idx >= ? AND idx < ? ORDER BY idx',
        )
        .raw(true),
      insert: db.prepare('INSERT INTO raft_entries (idx, term, kind, data) VALUES (?, ?, ?, ?)'),
      truncateFrom: db.prepare('DELETE FROM raft_entries WHERE idx >= ?'),
      truncateTo: db.prepare('DELETE FROM raft_entries WHERE idx <= ?'),
      clear: db.prepare('DELETE FROM raft_entries'),
      saveHardState: db.prepare(
        `INSERT INTO raft_hard_state (id, term, vote, commit_index) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET term = excluded.term, vote = excluded.vote,
           commit_index = excluded.commit_index`,
      ),
      saveSnapshot: db.prepare(
        `INSERT INTO raft_snapshot (id, snapshot_index, snapshot_term, snapshot_data)
         VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET snapshot_index = excluded.snapshot_index,
           snapshot_term = excluded.snapshot_term, snapshot_data = excluded.snapshot_data`,
      ),
    };
    const max = db.prepare('SELECT MAX(idx) FROM raft_entries').pluck().get() as number | null;
    this.last = Math.max(max ?? 0, this.snap.meta.index);
    this.persistAtomically = db.transaction((update: PersistUpdate) => this.write(update));
  }

  hardState(): HardState {
    return { ...this.hs };
  }

  firstIndex(): number {
    return this.snap.meta.index + 1;
  }

  lastIndex(): number {
    return this.last;
  }

  term(index: number): number | undefined {
    if (index === this.snap.meta.index) return this.snap.meta.term;
    if (index < this.snap.meta.index || index > this.last) return undefined;
    const start = this.tailStart();
    if (index >= start) return this.tail[index - start]!.term;
    return this.statements.term.get(index) as number | undefined;
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo > hi) {
      throw new Error(`entries [${lo}, ${hi}) out of [${this.firstIndex()}, ${this.lastIndex()}]`);
    }
    const start = this.tailStart();
    if (lo >= start) return limitSize(this.tail.slice(lo - start, hi - start), maxSize);
    const rows = this.statements.range.all(lo, hi) as EntryRow[];
    return limitSize(
      rows.map(([index, term, kind, data]) => ({ index, term, kind, data })),
      maxSize,
    );
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  persist(update: PersistUpdate): void {
    if (
      !update.snapshot &&
      update.entries.length === 0 &&
      !update.hardState &&
      !update.compaction
    ) {
      return;
    }
    const before = { hs: this.hs, snap: this.snap, last: this.last, tail: this.tail };
    try {
      fsynced(this.db, () => this.persistAtomically(update));
    } catch (error) {
      // The transaction rolled back: so does the view of it kept in memory.
      this.hs = before.hs;
      this.snap = before.snap;
      this.last = before.last;
      this.tail = before.tail;
      throw error;
    }
  }

  private write(update: PersistUpdate): void {
    const snapshotBefore = this.snap;
    if (update.snapshot && update.snapshot.meta.index > this.snap.meta.index) {
      // A snapshot from the leader replaces the whole log.
      this.statements.clear.run();
      this.snap = update.snapshot;
      this.last = update.snapshot.meta.index;
      this.tail = [];
    }
    if (update.entries.length > 0) this.append(update.entries);
    if (update.hardState) {
      this.hs = { ...update.hardState };
      this.statements.saveHardState.run(this.hs.term, this.hs.vote, this.hs.commit);
    }
    if (update.compaction) this.compact(update.compaction);
    if (this.snap !== snapshotBefore) {
      const { meta, data } = this.snap;
      this.statements.saveSnapshot.run(meta.index, meta.term, data);
    }
  }

  private append(entries: Entry[]): void {
    const first = entries[0]!.index;
    if (first > this.last + 1)
      throw new Error(`append at ${first} leaves a gap after ${this.last}`);
    const kept = entries.filter((e) => e.index > this.snap.meta.index);
    if (kept.length === 0) return;
    this.statements.truncateFrom.run(kept[0]!.index);
    for (const e of kept) this.statements.insert.run(e.index, e.term, e.kind, e.data);
    this.last = kept[kept.length - 1]!.index;
    const from = kept[0]!.index;
    const start = this.tailStart();
    const tail = from > start ? this.tail.slice(0, from - start).concat(kept) : kept;
    this.tail = tail.length > TAIL_ENTRIES ? tail.slice(-TAIL_ENTRIES) : tail;
  }

  private compact(snapshot: Snapshot): void {
    const { index } = snapshot.meta;
    if (index <= this.snap.meta.index) return;
    if (index > this.last)
      throw new Error(`compaction at ${index} is past the last index ${this.last}`);
    this.statements.truncateTo.run(index);
    this.snap = snapshot;
    const start = this.tailStart();
    if (index >= start) this.tail = this.tail.slice(index - start + 1);
  }

  /** The index of the first entry kept in memory; infinite when none is. */
  private tailStart(): number {
    return this.tail[0]?.index ?? Number.POSITIVE_INFINITY;
  }
}
