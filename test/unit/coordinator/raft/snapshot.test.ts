import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../../coordinator/raft/index.js';
import { Cluster } from './cluster.js';

const ids = ['n1', 'n2', 'n3'];

/** n1 leads; n3 was cut off while n1 committed five entries and compacted its log. */
function compactedGroup(): Cluster {
  const c = new Cluster(ids);
  c.elect('n1');
  c.isolate('n3');
  for (const data of ['a', 'b', 'c', 'd', 'e']) c.propose('n1', data);
  c.deliverAll();
  const n1 = c.node('n1');
  expect(n1.status()).toMatchObject({ commit: 6, applied: 6 });
  expect(n1.compact(6, 'state:a,b,c,d,e')).toBe(true);
  c.settle('n1');
  expect(n1.status().firstIndex).toBe(7);
  return c;
}

describe('raft snapshots', () => {
  it('compaction drops the entries a snapshot covers, only up to what was applied', () => {
    const c = compactedGroup();
    const storage = c.member('n1').storage;
    expect(storage.snapshot()).toEqual({ meta: { index: 6, term: 1 }, data: 'state:a,b,c,d,e' });
    expect([storage.firstIndex(), storage.lastIndex()]).toEqual([7, 6]);
    expect(c.node('n1').compact(5, 'older')).toBe(false);
    expect(() => c.node('n1').compact(7, 'future')).toThrow(/applied/);
  });

  it('sends a lagging follower the snapshot, then continues with entries', () => {
    const c = compactedGroup();
    c.heal();
    c.tick('n1');
    const flow = c.deliverAll();
    expect(flow.filter((m) => m.type === 'Snapshot').map((m) => m.to)).toEqual(['n3']);
    const n3 = c.member('n3');
    const restored = n3.readies.find((rd) => rd.snapshot !== null);
    expect(restored?.snapshot).toEqual({ meta: { index: 6, term: 1 }, data: 'state:a,b,c,d,e' });
    expect(n3.applied).toEqual(['state:a,b,c,d,e']);
    expect(n3.raft.status()).toMatchObject({ commit: 6, applied: 6, firstIndex: 7 });

    c.propose('n1', 'f');
    c.deliverAll();
    expect(n3.applied).toEqual(['state:a,b,c,d,e', 'f']);
    expect(n3.raft.status()).toMatchObject({ commit: 7, lastIndex: 7 });
  });

  it('a restarted node comes back from its persisted snapshot and log', () => {
    const c = compactedGroup();
    c.propose('n1', 'f');
    c.deliverAll();
    const storage = c.member('n1').storage;
    // A crash: the node object is gone; only storage remains.
    c.start('n1', storage);
    const n1 = c.node('n1');
    expect(n1.status()).toMatchObject({ role: 'follower', term: 1, commit: 7, applied: 6 });
    const rd = n1.ready();
    expect(rd.committedEntries.map((e) => e.data)).toEqual(['f']);
    n1.advance(rd);
  });

  it('ignores a snapshot older than what the follower has committed', () => {
    const c = compactedGroup();
    const n2 = c.node('n2');
    n2.step({
      type: 'Snapshot',
      from: 'n1',
      to: 'n2',
      term: 1,
      snapshot: { meta: { index: 3, term: 1 }, data: 'old' },
    });
    const rd = n2.ready();
    expect(rd.snapshot).toBeNull();
    expect(rd.messages).toEqual([
      expect.objectContaining({ type: 'AppendResp', index: 6, reject: false }),
    ]);
  });

  it('the leader resends a snapshot that was lost once an election timeout has passed', () => {
    const c = compactedGroup();
    c.heal();
    c.tick('n1');
    // Heartbeat responses flow, the snapshot itself is lost.
    c.deliverAll((m) => m.type !== 'Snapshot');
    const resent = [];
    for (let i = 0; i < 12; i++) {
      c.tick('n1');
      resent.push(...c.deliverAll().filter((m) => m.type === 'Snapshot'));
    }
    expect(resent.length).toBeGreaterThan(0);
    expect(c.node('n3').status().commit).toBe(6);
  });

  it('MemoryStorage keeps a persisted snapshot and entries after it', () => {
    const s = new MemoryStorage();
    s.persist({
      hardState: null,
      entries: [],
      snapshot: { meta: { index: 4, term: 2 }, data: 'x' },
      compaction: null,
    });
    s.persist({
      hardState: { term: 2, vote: null, commit: 5 },
      entries: [{ index: 5, term: 2, kind: 'normal', data: 'y' }],
      snapshot: null,
      compaction: null,
    });
    expect([s.firstIndex(), s.lastIndex(), s.term(4), s.term(5)]).toEqual([5, 5, 2, 2]);
  });
});
