import { describe, expect, it } from 'vitest';
import { ReadBatcher, type ReadIndexSource } from '../../../../coordinator/cluster/read-batcher.js';
import type { NodeId, ReadState } from '../../../../coordinator/raft/index.js';
import { Cluster } from '../raft/cluster.js';

const ids = ['n1', 'n2', 'n3'];
const TIMEOUT_MS = 1_000;
const RETRY_MS = 200;

/** A clock the test moves by hand. */
function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Counts how the reads it was given settled, once the microtasks have run. */
function settled(reads: Promise<void>[]) {
  const out = { resolved: 0, errors: [] as Error[] };
  for (const r of reads)
    r.then(
      () => out.resolved++,
      (e: Error) => out.errors.push(e),
    );
  return out;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A batcher on one member of a hand-driven group, fed by that member's Readies. */
function batcherOn(c: Cluster, id: NodeId, time = clock()) {
  const node = c.node(id);
  const batcher = new ReadBatcher(
    {
      readIndex: (context) => node.readIndex(context),
      view: () => ({ term: node.status().term, leader: node.status().leader }),
    },
    { timeoutMs: TIMEOUT_MS, retryMs: RETRY_MS, now: time.now, wake: () => {} },
    node.status().applied,
  );
  /** Starts a round, delivers everything, hands the member's read states over, until quiet. */
  const pump = (keep?: Parameters<Cluster['deliverAll']>[0]) => {
    const member = c.member(id);
    batcher.flush();
    do {
      c.deliverAll(keep);
      batcher.onReady(member.readStates.splice(0), node.status().applied);
      c.settle(id);
    } while (c.queue.length > 0);
  };
  return { batcher, pump, time };
}

function groupWithData(): Cluster {
  const c = new Cluster(ids);
  c.elect('n1');
  c.propose('n1', 'a');
  c.deliverAll();
  return c;
}

/** A source the test answers by hand. */
function manualSource(view = { term: 1, leader: 'n1' as NodeId | null }) {
  const contexts: string[] = [];
  const source: ReadIndexSource = {
    readIndex: (context) => {
      if (view.leader === null) return false;
      contexts.push(context);
      return true;
    },
    view: () => ({ ...view }),
  };
  return { source, contexts, view };
}

describe('ReadBatcher', () => {
  it('serves a thousand reads at a follower with one ReadIndex round', async () => {
    const c = groupWithData();
    const { batcher, pump } = batcherOn(c, 'n2');
    const reads = settled(Array.from({ length: 1_000 }, () => batcher.read()));
    batcher.flush();
    c.settle('n2');
    expect(c.queue.filter((m) => m.type === 'ReadIndex')).toHaveLength(1);
    const flow: string[] = [];
    pump((m) => {
      flow.push(m.type);
      return true;
    });
    await flush();
    expect(reads).toEqual({ resolved: 1_000, errors: [] });
    expect(batcher.rounds).toBe(1);
    // One heartbeat round at the leader confirmed the lot.
    expect(flow.filter((t) => t === 'Heartbeat')).toHaveLength(2);
  });

  it('reads that arrive while a round is in flight share the next round', async () => {
    const c = groupWithData();
    const { batcher, pump } = batcherOn(c, 'n1');
    const first = settled([batcher.read()]);
    batcher.flush();
    const later = settled(Array.from({ length: 500 }, () => batcher.read()));
    batcher.flush();
    expect(batcher.rounds).toBe(1);
    pump();
    await flush();
    expect(first.resolved).toBe(1);
    expect(later.resolved).toBe(500);
    expect(batcher.rounds).toBe(2);
    expect(batcher.waiting).toBe(0);
  });

  it('releases a read only once this member has applied up to the confirmed index', async () => {
    const { source, contexts } = manualSource();
    const batcher = new ReadBatcher(
      source,
      { timeoutMs: TIMEOUT_MS, retryMs: RETRY_MS, now: clock().now, wake: () => {} },
      5,
    );
    const reads = settled([batcher.read()]);
    batcher.flush();
    expect(contexts).toHaveLength(1);
    batcher.onReady([{ index: 7, context: contexts[0]! }], 6);
    await flush();
    expect(reads.resolved).toBe(0);
    batcher.onReady([], 7);
    await flush();
    expect(reads.resolved).toBe(1);
  });

  it('starts the round again when the leader changes, and ignores the abandoned round’s answer', async () => {
    const { source, contexts, view } = manualSource();
    const batcher = new ReadBatcher(
      source,
      { timeoutMs: TIMEOUT_MS, retryMs: RETRY_MS, now: clock().now, wake: () => {} },
      0,
    );
    const reads = settled([batcher.read()]);
    batcher.flush();
    Object.assign(view, { term: 2, leader: 'n2' });
    batcher.tick();
    expect(contexts).toHaveLength(2);
    // The deposed leader's answer for the first round (a stale index) releases nothing.
    const stale: ReadState = { index: 3, context: contexts[0]! };
    batcher.onReady([stale], 10);
    await flush();
    expect(reads.resolved).toBe(0);
    batcher.onReady([{ index: 9, context: contexts[1]! }], 10);
    await flush();
    expect(reads.resolved).toBe(1);
  });

  it('a follower whose leader is deposed gets its read confirmed by the new leader', async () => {
    const c = groupWithData();
    const { batcher, pump } = batcherOn(c, 'n2');
    c.isolate('n1');
    const reads = settled([batcher.read()]);
    pump();
    for (let i = 0; i < 30 && c.node('n2').status().role !== 'leader'; i++) {
      c.tick('n2');
      c.tick('n3');
      pump();
    }
    expect(c.node('n2').status()).toMatchObject({ role: 'leader', term: 2 });
    await flush();
    expect(reads.resolved).toBe(0);
    batcher.tick();
    pump();
    c.tick('n2');
    pump();
    await flush();
    expect(reads).toEqual({ resolved: 1, errors: [] });
  });

  it('refuses reads at their deadline, naming why: no leader, or a leader cut off from its quorum', async () => {
    const alone = new Cluster(ids);
    const noLeader = batcherOn(alone, 'n2');
    const refused = settled([noLeader.batcher.read()]);
    noLeader.time.advance(TIMEOUT_MS - 1);
    noLeader.batcher.tick();
    await flush();
    expect(refused.errors).toEqual([]);
    noLeader.time.advance(1);
    noLeader.batcher.tick();
    await flush();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]).toMatchObject({ code: 'not_leader' });
    expect(refused.errors[0]!.message).toMatch(/no leader is known/);

    const c = groupWithData();
    const cutOff = batcherOn(c, 'n1');
    c.isolate('n1');
    const unconfirmed = settled([cutOff.batcher.read()]);
    for (let t = 0; t < TIMEOUT_MS; t += 50) {
      cutOff.time.advance(50);
      cutOff.batcher.tick();
      cutOff.pump();
    }
    await flush();
    expect(unconfirmed.resolved).toBe(0);
    expect(unconfirmed.errors[0]!.message).toMatch(/the leader n1 did not confirm the read/);
    // It kept asking: a round per retry interval, never an answer without a quorum.
    expect(cutOff.batcher.rounds).toBe(TIMEOUT_MS / RETRY_MS);
  });

  it('refuses every waiting read when closed', async () => {
    const { source } = manualSource();
    const batcher = new ReadBatcher(
      source,
      { timeoutMs: 1, retryMs: 1, now: clock().now, wake: () => {} },
      0,
    );
    const reads = settled([batcher.read(), batcher.read()]);
    batcher.close('shutting down');
    await flush();
    expect(reads.errors.map((e) => e.message)).toEqual(['shutting down', 'shutting down']);
  });
});
