import { describe, expect, it } from 'vitest';
import type { AppendMsg, AppendRespMsg, Message } from '../../../../coordinator/raft/index.js';
import { Cluster, storageWith } from './cluster.js';

const ids = ['n1', 'n2', 'n3'];
const appends = (ms: Message[]) => ms.filter((m): m is AppendMsg => m.type === 'Append');

describe('raft log replication', () => {
  it('replicates and applies proposals on every node', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.propose('n1', 'a');
    c.propose('n1', 'b');
    c.deliverAll();
    for (const id of ids) {
      expect(c.member(id).applied).toEqual(['a', 'b']);
      expect(c.node(id).status()).toMatchObject({ commit: 3, applied: 3, lastIndex: 3 });
    }
  });

  it("a leader knows how far each follower's log matches its own; a follower knows none", () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n3');
    c.propose('n1', 'a');
    c.propose('n1', 'b');
    c.deliverAll();
    const last = c.node('n1').status().lastIndex;
    const matches = new Map(
      c
        .node('n1')
        .followerMatches()
        .map((f) => [f.id, f.match]),
    );
    expect(matches.get('n2')).toBe(last);
    expect(matches.get('n3')).toBeLessThan(last);
    expect(c.node('n2').followerMatches()).toEqual([]);
  });

  it('a follower refuses proposals and names the leader', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    expect(c.node('n2').propose('x')).toEqual({ accepted: false, leader: 'n1' });
  });

  it('batches the proposals made between two Readies into one Append per follower', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    const n1 = c.node('n1');
    for (const data of ['a', 'b', 'c', 'd']) n1.propose(data);
    const rd = n1.ready();
    expect(rd.entries.map((e) => e.data)).toEqual(['a', 'b', 'c', 'd']);
    const sent = appends(rd.messages);
    expect(sent.map((m) => [m.to, m.entries.length])).toEqual([
      ['n2', 4],
      ['n3', 4],
    ]);
    c.handle('n1', rd);
  });

  it('splits Appends at maxSizePerMsg and pipelines them without waiting', () => {
    const c = new Cluster(ids, { maxSizePerMsg: 40 });
    c.elect('n1');
    const n1 = c.node('n1');
    for (const data of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee'])
      n1.propose(data);
    const rd = n1.ready();
    const toN2 = appends(rd.messages).filter((m) => m.to === 'n2');
    // 24 bytes an entry: one per message within 40, all sent ahead of any acknowledgement.
    expect(toN2.map((m) => m.entries.map((e) => e.data))).toEqual([
      ['aaaaaaaa'],
      ['bbbbbbbb'],
      ['cccccccc'],
      ['dddddddd'],
      ['eeeeeeee'],
    ]);
    expect(toN2.map((m) => m.prevIndex)).toEqual([1, 2, 3, 4, 5]);
    c.handle('n1', rd);
    c.deliverAll();
    expect(c.member('n3').applied).toHaveLength(5);
  });

  it('stops pipelining at maxInflightMsgs until acknowledgements arrive', () => {
    const c = new Cluster(ids, { maxSizePerMsg: 1, maxInflightMsgs: 2 });
    c.elect('n1');
    const n1 = c.node('n1');
    for (const data of ['a', 'b', 'c', 'd']) n1.propose(data);
    const rd = n1.ready();
    expect(appends(rd.messages).filter((m) => m.to === 'n2')).toHaveLength(2);
    c.handle('n1', rd);
    c.deliverAll();
    expect(c.member('n2').applied).toEqual(['a', 'b', 'c', 'd']);
  });

  it('Figure 8: an entry of an earlier term is not committed by counting replicas', () => {
    // n1 led term 1 and wrote index 2 only locally; it now wins term 2.
    const c = new Cluster(
      ids,
      {},
      {
        n1: storageWith(
          [
            [1, 1],
            [2, 1],
          ],
          { term: 1, vote: 'n1', commit: 1 },
        ),
        n2: storageWith([[1, 1]], { term: 1, vote: 'n1', commit: 1 }),
        n3: storageWith([[1, 1]], { term: 1, vote: 'n1', commit: 1 }),
      },
    );
    c.node('n1').campaign();
    c.deliverAll((m) => m.type !== 'Append');
    const n1 = c.node('n1');
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2, lastIndex: 3, commit: 1 });
    const ack = (index: number): AppendRespMsg => ({
      type: 'AppendResp',
      from: 'n2',
      to: 'n1',
      term: 2,
      index,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    });
    // n1 and n2 now hold index 2 (term 1): a majority, but not of this term.
    n1.step(ack(2));
    expect(n1.status().commit).toBe(1);
    // The no-op of term 2 at index 3 reaches the majority: it commits, and index 2 with it.
    n1.step(ack(3));
    expect(n1.status().commit).toBe(3);
  });

  it('overwrites a follower’s uncommitted conflicting tail, skipping a term per round trip', () => {
    // n3 led term 2 alone and wrote 50 entries nobody else has.
    const tail: [number, number][] = Array.from({ length: 50 }, (_, i) => [i + 2, 2]);
    const c = new Cluster(
      ids,
      {},
      {
        n1: storageWith(
          [
            [1, 1],
            [2, 3],
          ],
          { term: 3, vote: null, commit: 1 },
        ),
        n2: storageWith(
          [
            [1, 1],
            [2, 3],
          ],
          { term: 3, vote: null, commit: 1 },
        ),
        n3: storageWith([[1, 1], ...tail], { term: 3, vote: null, commit: 1 }),
      },
    );
    const flow = c.elect('n1');
    const rejects = flow.filter((m) => m.type === 'AppendResp' && m.from === 'n3' && m.reject);
    expect(rejects.length).toBeLessThanOrEqual(2);
    expect(c.node('n3').status()).toMatchObject({ lastIndex: 3, commit: 3 });
    expect(c.node('n3').termAt(2)).toBe(3);
  });

  it('hands out one Ready at a time: entries become stable and applied on advance', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    const n1 = c.node('n1');
    n1.propose('a');
    const rd = n1.ready();
    expect(n1.hasReady()).toBe(false);
    expect(() => n1.ready()).toThrow(/advance/);
    c.handle('n1', rd);
    expect(n1.ready().entries).toEqual([]);
  });

  it('answers a stale leader with the newer term instead of appending', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.member('n2').raft.step({
      type: 'Append',
      from: 'n3',
      to: 'n2',
      term: 0,
      prevIndex: 0,
      prevTerm: 0,
      entries: [],
      commit: 0,
    });
    const [resp] = c.node('n2').ready().messages;
    expect(resp).toMatchObject({ type: 'AppendResp', to: 'n3', term: 1 });
  });
});
