import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';

const ids = ['n1', 'n2', 'n3'];

describe('raft leadership transfer', () => {
  it('hands leadership to an up-to-date follower with TimeoutNow', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.propose('n1', 'a');
    c.deliverAll();
    expect(c.node('n1').transferLeadership('n2')).toBe(true);
    const flow = c.deliverAll();
    expect(flow.some((m) => m.type === 'TimeoutNow' && m.to === 'n2')).toBe(true);
    // No pre-vote, and the other follower votes despite its leader lease.
    expect(flow.some((m) => m.type === 'PreVote')).toBe(false);
    expect(c.node('n2').status()).toMatchObject({ role: 'leader', term: 2 });
    expect(c.node('n1').status()).toMatchObject({ role: 'follower', term: 2, leader: 'n2' });
    c.propose('n2', 'b');
    c.deliverAll();
    expect(c.member('n1').applied).toEqual(['a', 'b']);
  });

  it('first catches a lagging transferee up, refusing proposals meanwhile', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n3');
    c.propose('n1', 'a');
    c.propose('n1', 'b');
    c.deliverAll();
    c.heal();
    const n1 = c.node('n1');
    n1.transferLeadership('n3');
    expect(n1.propose('c')).toEqual({ accepted: false, leader: 'n3' });
    const flow = c.deliverAll();
    const timeoutNow = flow.findIndex((m) => m.type === 'TimeoutNow');
    const lastAppend = flow.findLastIndex((m) => m.type === 'Append' && m.to === 'n3');
    expect(lastAppend).toBeLessThan(timeoutNow);
    expect(c.node('n3').status()).toMatchObject({ role: 'leader', term: 2, lastIndex: 4 });
    expect(c.member('n3').applied).toEqual(['a', 'b']);
  });

  it('gives up after an election timeout if the transferee does not take over', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n3');
    const n1 = c.node('n1');
    n1.transferLeadership('n3');
    expect(n1.status().transferee).toBe('n3');
    for (let i = 0; i < 10; i++) {
      c.tick('n1');
      c.deliverAll();
    }
    expect(n1.status()).toMatchObject({ role: 'leader', transferee: null });
    expect(n1.propose('x').accepted).toBe(true);
  });

  it('only a leader transfers, and not to itself or a stranger', () => {
    const c = new Cluster(ids);
    c.elect('n1');
    expect(c.node('n2').transferLeadership('n3')).toBe(false);
    expect(c.node('n1').transferLeadership('n1')).toBe(false);
    expect(c.node('n1').transferLeadership('n9')).toBe(false);
  });
});
