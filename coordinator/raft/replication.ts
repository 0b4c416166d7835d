import type { Raft } from './core.js';
import { type Progress, quorumMatch } from './progress.js';
import type {
  AppendMsg,
  AppendRespMsg,
  Entry,
  EntryKind,
  HeartbeatMsg,
  HeartbeatRespMsg,
  NodeId,
  Snapshot,
  SnapshotMsg,
} from './types.js';

/** Appends entries to the leader's own log; returns the last new index. */
export function appendAsLeader(r: Raft, items: { kind: EntryKind; data: string }[]): number {
  let index = r.log.lastIndex();
  const entries: Entry[] = items.map((it) => ({
    index: ++index,
    term: r.term,
    kind: it.kind,
    data: it.data,
  }));
  r.log.append(entries);
  r.progress.get(r.id)!.maybeUpdate(index);
  maybeCommit(r);
  return index;
}

/** Advances the commit index to what a quorum matched, if that entry is of this term. */
export function maybeCommit(r: Raft): boolean {
  return r.log.maybeCommit(quorumMatch(r.progress), r.term);
}

export function committedInCurrentTerm(r: Raft): boolean {
  return r.log.term(r.log.committed) === r.term;
}

/**
 * Sends the next Append (or the snapshot, when the entries it needs are compacted) unless
 * the follower's progress is paused. An empty Append goes out only if `sendIfEmpty`.
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.progress.get(to)!;
  if (pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  if (prevTerm === undefined) return sendSnapshot(r, to, pr);
  const entries = r.log.entriesFrom(pr.next, r.settings.maxSizePerMsg);
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'Append', to, prevIndex, prevTerm, entries, commit: r.log.committed });
  if (entries.length > 0) pr.sentEntries(entries[entries.length - 1]!.index);
  return true;
}

function sendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  // A peer not heard from lately is probably down: a snapshot would be wasted on it.
  if (!pr.recentActive) return false;
  const snapshot: Snapshot = r.log.snapshot();
  pr.becomeSnapshot(snapshot.meta.index);
  r.send({ type: 'Snapshot', to, snapshot });
  return true;
}

export function sendAppend(r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true);
}

export function bcastAppend(r: Raft): void {
  for (const to of r.others) sendAppend(r, to);
}

/** Sends what was proposed since the last flush, batched, to every follower able to take it. */
export function flushProposals(r: Raft): void {
  r.proposed = false;
  if (r.role !== 'leader') return;
  for (const to of r.others) while (maybeSendAppend(r, to, false)) {}
}

export function bcastHeartbeat(r: Raft, context: string | null): void {
  for (const to of r.others) {
    const pr = r.progress.get(to)!;
    // A follower may not have the leader's commit index yet; it must not commit past its log.
    const commit = Math.min(pr.match, r.log.committed);
    r.send({ type: 'Heartbeat', to, commit, context });
  }
}

/** Acknowledges that the log matches the leader's up to `index`. */
export function sendAppendAck(r: Raft, to: NodeId, index: number): void {
  r.send({ type: 'AppendResp', to, index, reject: false, hintIndex: 0, hintTerm: 0 });
}

export function handleAppend(r: Raft, m: AppendMsg): void {
  if (m.prevIndex < r.log.committed) {
    sendAppendAck(r, m.from, r.log.committed);
    return;
  }
  const last = r.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
  if (last !== null) {
    sendAppendAck(r, m.from, last);
    return;
  }
  // Point the leader at the last index that may match, skipping a whole term of conflicts.
  const hintIndex = r.log.findConflictByTerm(Math.min(m.prevIndex, r.log.lastIndex()), m.prevTerm);
  r.send({
    type: 'AppendResp',
    to: m.from,
    index: m.prevIndex,
    reject: true,
    hintIndex,
    hintTerm: r.log.term(hintIndex) ?? 0,
  });
}

export function handleHeartbeat(r: Raft, m: HeartbeatMsg): void {
  r.log.commitTo(m.commit);
  r.send({ type: 'HeartbeatResp', to: m.from, context: m.context });
}

export function handleSnapshot(r: Raft, m: SnapshotMsg): void {
  sendAppendAck(r, m.from, restore(r, m.snapshot) ? r.log.lastIndex() : r.log.committed);
}

function restore(r: Raft, snapshot: Snapshot): boolean {
  const { index, term } = snapshot.meta;
  if (index <= r.log.committed) return false;
  if (r.log.matchTerm(index, term)) {
    // The log already has the snapshot's last entry: only the commit index moves.
    r.log.commitTo(index);
    return false;
  }
  r.log.restore(snapshot);
  return true;
}

/** Leader side of an AppendResp; returns whether the commit index advanced. */
export function handleAppendResp(r: Raft, m: AppendRespMsg, pr: Progress): boolean {
  if (m.reject) {
    const probe = m.hintTerm > 0 ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm) : m.hintIndex;
    if (pr.maybeDecrTo(m.index, probe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return false;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return false;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeUpTo(m.index);
  }
  const committed = maybeCommit(r);
  if (committed) bcastAppend(r);
  else if (wasPaused) sendAppend(r, m.from);
  while (maybeSendAppend(r, m.from, false)) {}
  return committed;
}

/** Leader side of a HeartbeatResp, as far as replication goes. */
export function handleHeartbeatResp(r: Raft, m: HeartbeatRespMsg, pr: Progress): void {
  pr.probeSent = false;
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
  // The snapshot or its acknowledgement may have been lost: after a while, send it again.
  if (pr.state === 'snapshot' && pr.snapshotTicks >= r.settings.electionTicks) pr.becomeProbe();
  if (pr.match < r.log.lastIndex()) sendAppend(r, m.from);
}
