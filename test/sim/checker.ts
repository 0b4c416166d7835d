import type { Entry, HardState, NodeId, RaftNode, Ready } from '../../coordinator/raft/index.js';

export class Violation extends Error {}

function fail(message: string): never {
  throw new Violation(message);
}

/** What a simulated state machine holds: how far it applied, and a hash of everything applied. */
export interface AppState {
  index: number;
  hash: number;
}

export function entryKey(e: Entry): string {
  return `${e.term}:${e.kind}:${e.data}`;
}

export function nextHash(hash: number, e: Entry): number {
  let h = (hash ^ 0x811c9dc5) >>> 0;
  const key = `${e.index}/${entryKey(e)}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h;
}

interface PendingRead {
  node: NodeId;
  /** The highest commit index any node had reached when the read began. */
  minIndex: number;
}

/**
 * Global ground truth across all nodes and restarts; every method throws a Violation when a
 * Raft safety property breaks.
 */
export class Checker {
  private readonly leaders = new Map<number, NodeId>();
  /**
   * Every entry any node has seen committed: index -> the entry's term, and the lowest term
   * a node was in when it saw it committed (the leader's term, as the leader sees it first).
   */
  readonly committed = new Map<number, { term: number; at: number }>();
  /** index -> key of the entry applied there, and the state hash after applying it. */
  private readonly appliedKey = new Map<number, string>();
  private readonly appliedHash = new Map<number, number>();
  /** data -> index of every normal entry applied: a proposal is applied at one index only. */
  private readonly appliedData = new Map<string, number>();
  /** `index/term` -> the entry's content and the term before it (log matching, inductively). */
  private readonly entries = new Map<string, { key: string; prevTerm: number }>();
  private readonly reads = new Map<string, PendingRead>();
  maxCommit = 0;
  readsDone = 0;
  snapshotsInstalled = 0;

  constructor(private readonly liveLeaders: () => RaftNode[]) {}

  get elections(): number {
    return this.leaders.size;
  }

  /**
   * Election safety, and leader completeness for a leader seen for the first time; true
   * for a new leader.
   */
  observeLeader(node: RaftNode): boolean {
    const { term, id } = node.status();
    const known = this.leaders.get(term);
    if (known === id) return false;
    if (known !== undefined) fail(`election safety: ${known} and ${id} both lead term ${term}`);
    this.leaders.set(term, id);
    for (const [index, c] of this.committed) this.expectInLeaderLog(node, index, c.term, c.at);
    return true;
  }

  /** Leader completeness: a leader of a term after the commit has the entry. */
  private expectInLeaderLog(node: RaftNode, index: number, term: number, at: number): void {
    const s = node.status();
    if (s.term <= at || index < s.firstIndex - 1) return;
    const have = node.termAt(index);
    if (have !== term) {
      fail(
        `leader completeness: ${s.id} leads term ${s.term} but has term ${have} at ${index}, ` +
          `where an entry of term ${term} was committed in term ${at}`,
      );
    }
  }

  /** Checks a Ready before it is persisted; `persisted` is the hard state stored so far. */
  onReady(id: NodeId, node: RaftNode, rd: Ready, persisted: HardState): void {
    if (rd.hardState) this.checkHardState(id, node, rd.hardState, persisted);
    let prevTerm = rd.entries.length > 0 ? node.termAt(rd.entries[0]!.index - 1) : undefined;
    for (const e of rd.entries) {
      if (prevTerm === undefined) fail(`${id} appends entry ${e.index} with no entry before it`);
      const slot = `${e.index}/${e.term}`;
      const key = entryKey(e);
      const known = this.entries.get(slot);
      if (!known) this.entries.set(slot, { key, prevTerm });
      else if (known.key !== key || known.prevTerm !== prevTerm) {
        fail(
          `log matching: ${id} has ${key} after term ${prevTerm} at index ${e.index}; ` +
            `another log has ${known.key} after term ${known.prevTerm}`,
        );
      }
      prevTerm = e.term;
    }
  }

  private checkHardState(id: NodeId, node: RaftNode, hs: HardState, before: HardState): void {
    if (hs.term < before.term) fail(`${id} persisted term ${hs.term} after ${before.term}`);
    if (hs.term === before.term && before.vote !== null && hs.vote !== before.vote) {
      fail(`${id} voted for ${before.vote} and then ${hs.vote} in term ${hs.term}`);
    }
    if (hs.commit < before.commit)
      fail(`${id} persisted commit ${hs.commit} after ${before.commit}`);
    for (let i = before.commit + 1; i <= hs.commit; i++) {
      const term = node.termAt(i);
      if (term !== undefined) this.recordCommitted(id, i, term, hs.term);
    }
    this.maxCommit = Math.max(this.maxCommit, hs.commit);
  }

  private recordCommitted(id: NodeId, index: number, term: number, at: number): void {
    const known = this.committed.get(index);
    if (known !== undefined && known.term !== term) {
      fail(
        `${id} committed term ${term} at index ${index}, where term ${known.term} was committed`,
      );
    }
    if (known !== undefined && known.at <= at) return;
    this.committed.set(index, { term, at });
    for (const leader of this.liveLeaders()) this.expectInLeaderLog(leader, index, term, at);
  }

  /** State-machine safety: every node applies the same entry at each index, in order. */
  apply(id: NodeId, app: AppState, e: Entry): AppState {
    if (e.index !== app.index + 1) fail(`${id} applied ${e.index} right after ${app.index}`);
    if (this.committed.get(e.index)?.term !== e.term) {
      fail(`${id} applied entry ${e.index} of term ${e.term}, which was not committed`);
    }
    const key = entryKey(e);
    const known = this.appliedKey.get(e.index);
    if (known === undefined) this.appliedKey.set(e.index, key);
    else if (known !== key) {
      fail(`state machine safety: ${id} applied ${key} at ${e.index}, another node ${known}`);
    }
    if (e.kind === 'normal') {
      const at = this.appliedData.get(e.data);
      if (at === undefined) this.appliedData.set(e.data, e.index);
      else if (at !== e.index) fail(`proposal ${e.data} applied at ${at} and at ${e.index}`);
    }
    const next: AppState = { index: e.index, hash: nextHash(app.hash, e) };
    const hash = this.appliedHash.get(e.index);
    if (hash === undefined) this.appliedHash.set(e.index, next.hash);
    else if (hash !== next.hash) fail(`${id}'s state after ${e.index} differs from another node's`);
    return next;
  }

  /** A state machine restored from a snapshot must equal one built by applying entries. */
  restore(id: NodeId, snapshotIndex: number, app: AppState): void {
    if (app.index !== snapshotIndex) {
      fail(`${id} got a snapshot at ${snapshotIndex} holding state at ${app.index}`);
    }
    if (app.index === 0) return;
    const hash = this.appliedHash.get(app.index);
    if (hash !== app.hash) fail(`${id} restored a snapshot at ${app.index} that no node applied`);
  }

  beginRead(context: string, node: NodeId): void {
    this.reads.set(context, { node, minIndex: this.maxCommit });
  }

  /** A read's index must cover every entry committed before the read began. */
  readDone(id: NodeId, context: string, index: number): void {
    const read = this.reads.get(context);
    if (!read) fail(`${id} confirmed read ${context} that nobody asked for`);
    if (read.node !== id) fail(`read ${context} asked at ${read.node} was confirmed at ${id}`);
    if (index < read.minIndex) {
      fail(
        `stale read ${context} at ${id}: index ${index}, but ${read.minIndex} was committed before it began`,
      );
    }
    if (index > this.maxCommit)
      fail(`read ${context} at ${id}: index ${index} was never committed`);
    this.readsDone++;
  }
}
