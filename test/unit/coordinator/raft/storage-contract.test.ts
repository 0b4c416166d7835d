import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DurableStorage,
  type Entry,
  MemoryStorage,
} from '../../../../coordinator/raft/index.js';
import { SqliteStorage } from '../../../../coordinator/raft-io/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

const entry = (index: number, term: number, data = `e${index}`): Entry => ({
  index,
  term,
  kind: 'normal',
  data,
});
const none = { hardState: null, entries: [], snapshot: null, compaction: null };
const open: Database.Database[] = [];

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  removeTempDirs();
});

function sqlite(file = ':memory:'): SqliteStorage {
  const db = new Database(file);
  open.push(db);
  return new SqliteStorage(db);
}

describe.each([
  ['MemoryStorage', () => new MemoryStorage() as DurableStorage],
  ['SqliteStorage', () => sqlite() as DurableStorage],
])('%s', (_name, create) => {
  it('starts empty', () => {
    const s = create();
    expect(s.hardState()).toEqual({ term: 0, vote: null, commit: 0 });
    expect([s.firstIndex(), s.lastIndex(), s.term(0), s.term(1)]).toEqual([1, 0, 0, undefined]);
  });

  it('appends, replaces a conflicting suffix, and reads within a size budget', () => {
    const s = create();
    s.persist({ ...none, entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    s.persist({ ...none, entries: [entry(2, 2, 'new'), entry(3, 2)] });
    expect(s.lastIndex()).toBe(3);
    expect(s.entries(1, 4, Number.POSITIVE_INFINITY).map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 2],
      [3, 2],
    ]);
    expect(s.entries(1, 4, 1)).toHaveLength(1);
    expect(() => s.persist({ ...none, entries: [entry(9, 2)] })).toThrow(/gap/);
  });

  it('keeps the hard state, compacts up to a snapshot, and takes a leader snapshot whole', () => {
    const s = create();
    s.persist({
      ...none,
      entries: [1, 2, 3, 4].map((i) => entry(i, 1)),
      hardState: { term: 1, vote: 'a', commit: 3 },
    });
    s.persist({ ...none, compaction: { meta: { index: 2, term: 1 }, data: 'state@2' } });
    expect([s.firstIndex(), s.lastIndex(), s.term(2), s.term(1)]).toEqual([3, 4, 1, undefined]);
    expect(s.hardState()).toEqual({ term: 1, vote: 'a', commit: 3 });
    s.persist({ ...none, snapshot: { meta: { index: 10, term: 3 }, data: 'state@10' } });
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 3]);
    expect(s.snapshot().data).toBe('state@10');
  });
});

describe('SqliteStorage', () => {
  it('reads the same log as MemoryStorage where it comes from memory and where from the table', () => {
    const memory = new MemoryStorage();
    const stored = sqlite();
    const both = (update: Parameters<DurableStorage['persist']>[0]) => {
      memory.persist(update);
      stored.persist(update);
    };
    const range = (from: number, to: number, term: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
    both({ ...none, entries: range(1, 1_500, 1) });
    both({ ...none, entries: range(1_400, 1_600, 2) });
    both({ ...none, entries: range(1_590, 1_700, 3) });
    both({ ...none, compaction: { meta: { index: 650, term: 1 }, data: 'state@650' } });
    both({ ...none, entries: range(1_701, 2_900, 3) });
    both({ ...none, compaction: { meta: { index: 1_200, term: 1 }, data: 'state@1200' } });
    for (const s of [memory, stored])
      expect([s.firstIndex(), s.lastIndex()]).toEqual([1_201, 2_900]);
    both({ ...none, entries: range(2_500, 2_600, 4) });
    const log = (s: DurableStorage) => ({
      entries: s.entries(s.firstIndex(), s.lastIndex() + 1, Number.POSITIVE_INFINITY),
      terms: [1_199, 1_200, 1_450, 1_650, 2_499, 2_500, 2_601].map((i) => s.term(i)),
      budgets: [s.entries(1_201, 2_601, 400).length, s.entries(2_001, 2_601, 400).length],
    });
    expect(log(stored)).toEqual(log(memory));
    expect(log(stored).terms).toEqual([undefined, 1, 2, 3, 3, 4, undefined]);
  });
});

describe('SqliteStorage across a restart', () => {
  it('reads back exactly what was persisted', () => {
    const file = join(tempDir(), 'raft.sqlite');
    const first = sqlite(file);
    first.persist({
      ...none,
      entries: [1, 2, 3].map((i) => entry(i, 2)),
      hardState: { term: 2, vote: 'b', commit: 2 },
    });
    first.persist({ ...none, compaction: { meta: { index: 1, term: 2 }, data: 'one' } });
    open.pop()!.close();
    const again = sqlite(file);
    expect(again.hardState()).toEqual({ term: 2, vote: 'b', commit: 2 });
    expect([again.firstIndex(), again.lastIndex()]).toEqual([2, 3]);
    expect(again.snapshot()).toEqual({ meta: { index: 1, term: 2 }, data: 'one' });
    expect(again.entries(2, 4, Number.POSITIVE_INFINITY).map((e) => e.data)).toEqual(['e2', 'e3']);
  });

  it('moves the hard state and snapshot of a data dir that kept them in one row', () => {
    const file = join(tempDir(), 'raft.sqlite');
    const db = new Database(file);
    db.exec(`
      CREATE TABLE raft_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), term INTEGER NOT NULL, vote TEXT,
        commit_index INTEGER NOT NULL, snapshot_index INTEGER NOT NULL,
        snapshot_term INTEGER NOT NULL, snapshot_data TEXT NOT NULL
      );
      INSERT INTO raft_state VALUES (1, 4, 'c', 7, 5, 3, 'state@5');
    `);
    db.close();
    const moved = sqlite(file);
    expect(moved.hardState()).toEqual({ term: 4, vote: 'c', commit: 7 });
    expect(moved.snapshot()).toEqual({ meta: { index: 5, term: 3 }, data: 'state@5' });
    expect([moved.firstIndex(), moved.lastIndex()]).toEqual([6, 5]);
    open.pop()!.close();
    expect(sqlite(file).hardState()).toEqual({ term: 4, vote: 'c', commit: 7 });
  });
});
