import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  type HardState,
  type Message,
  type Ready,
  splitEarlyMessages,
} from '../../../../coordinator/raft/index.js';
import { fsynced } from '../../../../coordinator/raft-io/index.js';

const append: Message = {
  type: 'Append',
  from: 'n1',
  to: 'n2',
  term: 2,
  prevIndex: 4,
  prevTerm: 2,
  entries: [],
  commit: 3,
};
const heartbeat: Message = {
  type: 'Heartbeat',
  from: 'n1',
  to: 'n3',
  term: 2,
  commit: 3,
  context: null,
};
const voteResp: Message = { type: 'VoteResp', from: 'n1', to: 'n3', term: 2, reject: false };

function ready(messages: Message[], hardState: HardState | null): Ready {
  return {
    hardState,
    entries: [],
    snapshot: null,
    compaction: null,
    committedEntries: [],
    messages,
    readStates: [],
  };
}

describe('splitEarlyMessages', () => {
  const stored: HardState = { term: 2, vote: 'n1', commit: 3 };

  it("lets a leader's appends and heartbeats leave before the write; answers wait", () => {
    const split = splitEarlyMessages(ready([append, voteResp, heartbeat], null), stored);
    expect(split.early).toEqual([append, heartbeat]);
    expect(split.late).toEqual([voteResp]);
  });

  it('lets them go first when only the commit index changes', () => {
    const split = splitEarlyMessages(ready([append], { ...stored, commit: 4 }), stored);
    expect(split.early).toEqual([append]);
  });

  it('holds everything back while the term or the vote is not yet on disk', () => {
    for (const hs of [
      { ...stored, term: 3, vote: null },
      { ...stored, vote: 'n2' },
    ]) {
      const split = splitEarlyMessages(ready([append, heartbeat], hs), stored);
      expect(split).toEqual({ early: [], late: [append, heartbeat] });
    }
  });
});

describe('fsynced', () => {
  it('commits its write with synchronous = FULL and goes back to NORMAL', () => {
    const db = new Database(':memory:');
    db.pragma('synchronous = NORMAL');
    const level = () => db.pragma('synchronous', { simple: true });
    expect(fsynced(db, level)).toBe(2);
    expect(level()).toBe(1);
    expect(() =>
      fsynced(db, () => {
        throw new Error('write failed');
      }),
    ).toThrow('write failed');
    expect(level()).toBe(1);
    db.close();
  });
});
