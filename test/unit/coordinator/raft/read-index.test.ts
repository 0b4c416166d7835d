import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';

const ids = ['n1', 'n2', 'n3'];

function groupWithData(): Cluster {
  const c = new Cluster(ids);
  c.elect('n1');
  c.propose('n1', 'a');
  c.propose('n1', 'b');
  c.deliverAll();
  return c;
}

describe('raft ReadIndex', () => {
  it('the leader confirms its leadership with a heartbeat round before answering', () => {
    const c = groupWithData();
    const n1 = c.member('n1');
    expect(n1.raft.readIndex('r1')).toBe(true);
    c.settle('n1');
    expect(n1.readStates).toEqual([]);
    const heartbeats = c.queue.filter((m) => m.type === 'Heartbeat');
    expect(heartbeats.map((m) => m.type === 'Heartbeat' && m.context)).toEqual(['r1', 'r1']);
    c.deliverAll();
    expect(n1.readStates).toEqual([{ index: 3, context: 'r1' }]);
  });

  it('a follower forwards the read and gets the leader’s commit index', () => {
    const c = groupWithData();
    const n2 = c.member('n2');
    expect(n2.raft.readIndex('r2')).toBe(true);
    c.deliverAll();
    expect(n2.readStates).toEqual([{ index: 3, context: 'r2' }]);
    expect(c.member('n1').readStates).toEqual([]);
  });

  it('a leader cut off from the quorum never confirms a read', () => {
    const c = groupWithData();
    c.isolate('n1');
    c.node('n1').readIndex('r3');
    for (let i = 0; i < 5; i++) {
      c.tick('n1');
      c.deliverAll();
    }
    expect(c.member('n1').readStates).toEqual([]);
  });

  it('one acknowledgement from a peer confirms every read queued before it', () => {
    const c = groupWithData();
    const n1 = c.node('n1');
    n1.readIndex('x');
    n1.readIndex('y');
    c.deliverAll((m) => !(m.type === 'HeartbeatResp' && m.context === 'x'));
    expect(c.member('n1').readStates.map((r) => r.context)).toEqual(['x', 'y']);
  });

  it('a new leader holds reads until it has committed an entry of its term', () => {
    const c = groupWithData();
    const n1 = c.node('n1');
    n1.campaign(); // no effect: already leading
    c.isolate('n1');
    for (let i = 0; i < 20; i++) {
      c.tick('n2');
      c.tick('n3');
      c.deliverAll((m) => m.type !== 'Append' && m.type !== 'AppendResp');
    }
    const n2 = c.member('n2');
    expect(n2.raft.status()).toMatchObject({ role: 'leader', term: 2, commit: 3 });
    n2.raft.readIndex('r4');
    c.deliverAll((m) => m.type !== 'Append' && m.type !== 'AppendResp');
    expect(n2.readStates).toEqual([]);
    c.deliverAll();
    c.tick('n2');
    c.deliverAll();
    // The no-op of term 2 (index 4) committed first.
    expect(n2.readStates).toEqual([{ index: 4, context: 'r4' }]);
  });

  it('a node that knows no leader cannot take a read', () => {
    const c = new Cluster(ids);
    expect(c.node('n2').readIndex('r5')).toBe(false);
  });
});
