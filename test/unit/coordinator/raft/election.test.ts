import { describe, expect, it } from 'vitest';
import { MemoryStorage, RaftNode } from '../../../../coordinator/raft/index.js';
import { Cluster } from './cluster.js';

const ids = ['n1', 'n2', 'n3'];

describe('raft elections', () => {
  it('elects a leader that commits a no-op of its term', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    expect(c.node('n1').status()).toMatchObject({ role: 'leader', term: 1, commit: 1 });
    for (const id of ['n2', 'n3']) {
      expect(c.node(id).status()).toMatchObject({ role: 'follower', term: 1, leader: 'n1' });
    }
  });

  it('randomizes the election timeout within [electionTicks, 2 * electionTicks)', () => {
    const timeoutFor = (random: number) => {
      const node = new RaftNode(
        {
          id: 'a',
          peers: ['a', 'b', 'c'],
          electionTicks: 10,
          heartbeatTicks: 1,
          random: () => random,
        },
        new MemoryStorage(),
      );
      let ticks = 0;
      while (node.status().role === 'follower') {
        node.tick();
        ticks++;
      }
      return ticks;
    };
    expect(timeoutFor(0)).toBe(10);
    expect(timeoutFor(0.99)).toBe(19);
  });

  it('a pre-vote does not bump terms, so an isolated node cannot disrupt the leader', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n3');
    c.tick('n3', 100);
    c.deliverAll();
    expect(c.node('n3').status()).toMatchObject({ role: 'precandidate', term: 1 });
    c.heal();
    c.tickAll(3);
    c.deliverAll();
    expect(c.node('n1').status()).toMatchObject({ role: 'leader', term: 1 });
    expect(c.node('n3').status()).toMatchObject({ role: 'follower', term: 1, leader: 'n1' });
  });

  it('without pre-vote the isolated node inflates its term and deposes the leader', () => {
    const c = new Cluster(ids, { preVote: false });
    c.elect('n1');
    c.isolate('n3');
    c.tick('n3', 100);
    expect(c.node('n3').status().term).toBeGreaterThan(5);
    c.heal();
    c.tickAll(3);
    c.deliverAll();
    expect(c.node('n1').status().term).toBeGreaterThan(5);
  });

  it('grants one vote per term, durably, before answering', () => {
    const c = new Cluster(ids);
    const n2 = c.node('n2');
    n2.step({
      type: 'Vote',
      from: 'n1',
      to: 'n2',
      term: 1,
      lastIndex: 0,
      lastTerm: 0,
      transfer: false,
    });
    const rd = n2.ready();
    // The vote is in the same Ready as the answer: persisted before it is sent.
    expect(rd.hardState).toEqual({ term: 1, vote: 'n1', commit: 0 });
    expect(rd.messages).toEqual([
      { type: 'VoteResp', from: 'n2', to: 'n1', term: 1, reject: false },
    ]);
    n2.advance(rd);
    n2.step({
      type: 'Vote',
      from: 'n3',
      to: 'n2',
      term: 1,
      lastIndex: 5,
      lastTerm: 1,
      transfer: false,
    });
    expect(n2.ready().messages).toEqual([
      { type: 'VoteResp', from: 'n2', to: 'n3', term: 1, reject: true },
    ]);
  });

  it('refuses a vote to a candidate whose log is behind', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.propose('n1', 'x');
    c.deliverAll();
    const n2 = c.node('n2');
    n2.step({
      type: 'Vote',
      from: 'n3',
      to: 'n2',
      term: 9,
      lastIndex: 1,
      lastTerm: 1,
      transfer: true,
    });
    const [resp] = n2.ready().messages;
    expect(resp).toMatchObject({ type: 'VoteResp', reject: true, term: 9 });
  });

  it('check-quorum: a leader that hears from no quorum within an election timeout steps down', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n1');
    c.tick('n1', 9);
    expect(c.node('n1').status().role).toBe('leader');
    c.tick('n1', 11);
    expect(c.node('n1').status()).toMatchObject({ role: 'follower', term: 1, leader: null });
  });

  it('a leader that hears from a quorum keeps leading', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n3');
    for (let i = 0; i < 50; i++) {
      c.tick('n1');
      c.deliverAll();
    }
    expect(c.node('n1').status()).toMatchObject({ role: 'leader', term: 1 });
  });

  it('followers in a leader lease ignore pre-votes from a higher term', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    const n2 = c.node('n2');
    n2.step({ type: 'PreVote', from: 'n3', to: 'n2', term: 2, lastIndex: 9, lastTerm: 1 });
    expect(n2.hasReady()).toBe(false);
  });

  it('a stale leader learns the newer term from a follower and steps down', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n1');
    for (let i = 0; i < 30; i++) {
      c.tick('n2');
      c.tick('n3');
      c.deliverAll();
    }
    const leaders = ids.filter((id) => c.node(id).status().role === 'leader');
    // n1 never ticked, so it still believes it leads term 1.
    expect(leaders).toEqual(['n1', 'n2']);
    expect(c.node('n2').status().term).toBe(2);
    c.heal();
    c.tick('n1');
    c.deliverAll();
    const roles = ids.map((id) => c.node(id).status());
    expect(roles.filter((s) => s.role === 'leader')).toHaveLength(1);
    expect(new Set(roles.map((s) => s.term)).size).toBe(1);
  });

  describe('a follower told its stream to the leader is lost', () => {
    const afterLeaderDies = (reported: boolean) => {
      const c = new Cluster(ids);
      c.elect('n1');
      c.isolate('n1');
      if (reported) for (const id of ['n2', 'n3']) c.node(id).reportUnreachable('n1');
      for (let round = 0; round < 5; round++) {
        c.tick('n2');
        c.tick('n3');
        c.deliverAll();
      }
      return ['n2', 'n3'].map((id) => c.node(id).status());
    };

    it('campaigns within a few ticks and the other follower votes for it', () => {
      const statuses = afterLeaderDies(true);
      const leaders = statuses.filter((s) => s.role === 'leader');
      expect(leaders).toHaveLength(1);
      expect(leaders[0]!.term).toBe(2);
      expect(statuses.every((s) => s.leader === leaders[0]!.id)).toBe(true);
    });

    it('without the report, the same five ticks elect nobody', () => {
      expect(afterLeaderDies(false).map((s) => s.role)).toEqual(['follower', 'follower']);
    });

    it('keeps a live leader: the others still honour its lease and its heartbeats return', () => {
      const c = new Cluster(ids);
      c.elect('n1');
      c.node('n2').reportUnreachable('n1');
      for (let round = 0; round < 30; round++) {
        c.tickAll();
        c.deliverAll();
      }
      expect(c.node('n1').status()).toMatchObject({ role: 'leader', term: 1 });
      expect(c.node('n2').status()).toMatchObject({ role: 'follower', term: 1, leader: 'n1' });
    });

    it('ignores a report about a member that is not its leader', () => {
      const c = new Cluster(ids);
      c.elect('n1');
      c.node('n2').reportUnreachable('n3');
      c.tick('n2', 9);
      expect(c.node('n2').status()).toMatchObject({ role: 'follower', leader: 'n1' });
    });
  });
});
