import { Raft } from './core.js';
import {
  handleVoteRequest,
  handleVoteResp,
  hup,
  leaderUnreachable,
  quorumActive,
  tickElection,
} from './election.js';
import { leaderReadIndex, onReadAck, releasePendingReads } from './read-index.js';
import {
  appendAsLeader,
  bcastHeartbeat,
  flushProposals,
  handleAppend,
  handleAppendResp,
  handleHeartbeat,
  handleHeartbeatResp,
  handleSnapshot,
  sendAppendAck,
} from './replication.js';
import type { Storage } from './storage.js';
import { sendTimeoutNowIfCaughtUp, transferLeadership } from './transfer.js';
import type {
  HardState,
  Message,
  NodeId,
  ProposeResult,
  RaftConfig,
  RaftStatus,
  Ready,
  Snapshot,
} from './types.js';

/**
 * A Raft node with no I/O: feed it messages (`step`) and clock ticks (`tick`), take its
 * work with `ready()`, do it (persist, send, apply) and acknowledge with `advance()`.
 */
export class RaftNode {
  private readonly r: Raft;
  private prevHardState: HardState;
  private compaction: Snapshot | null = null;
  private outstanding: Ready | null = null;

  constructor(config: RaftConfig, storage: Storage) {
    this.r = new Raft(config, storage);
    this.prevHardState = storage.hardState();
  }

  get id(): NodeId {
    return this.r.id;
  }

  tick(): void {
    if (this.r.role === 'leader') this.tickLeader();
    else tickElection(this.r);
  }

  private tickLeader(): void {
    const r = this.r;
    r.heartbeatElapsed++;
    r.electionElapsed++;
    for (const pr of r.progress.values()) if (pr.state === 'snapshot') pr.snapshotTicks++;
    if (r.electionElapsed >= r.settings.electionTicks) {
      r.electionElapsed = 0;
      if (r.settings.checkQuorum && !quorumActive(r)) {
        r.becomeFollower(r.term, null);
        return;
      }
      r.transferee = null;
    }
    if (r.heartbeatElapsed >= r.settings.heartbeatTicks) {
      r.heartbeatElapsed = 0;
      // Carrying the newest pending read retries its confirmation if a round was lost.
      bcastHeartbeat(r, r.reads.lastContext());
    }
  }

  step(m: Message): void {
    const r = this.r;
    if (m.to !== r.id || m.from === r.id || !r.progress.has(m.from)) return;
    if (m.term > r.term) {
      if (m.type === 'PreVote' || m.type === 'Vote') {
        const forced = m.type === 'Vote' && m.transfer;
        if (!forced && r.inLease()) return;
      }
      if (m.type === 'PreVote' || (m.type === 'PreVoteResp' && !m.reject)) {
        // Pre-votes never move terms; a granted one carries the term the sender asked about.
      } else if (m.type === 'Append' || m.type === 'Heartbeat' || m.type === 'Snapshot') {
        r.becomeFollower(m.term, m.from);
      } else {
        r.becomeFollower(m.term, null);
      }
    } else if (m.term < r.term) {
      if (m.type === 'Append' || m.type === 'Heartbeat') {
        // Tell the stale leader about the newer term so it steps down; with pre-vote or
        // check-quorum it would otherwise never hear of it.
        sendAppendAck(r, m.from, 0);
      } else if (m.type === 'PreVote') {
        r.send({ type: 'PreVoteResp', to: m.from, reject: true });
      }
      return;
    }
    if (m.type === 'PreVote' || m.type === 'Vote') {
      handleVoteRequest(r, m);
      return;
    }
    if (r.role === 'leader') this.stepLeader(m);
    else if (r.role === 'follower') this.stepFollower(m);
    else this.stepCandidate(m);
  }

  private stepLeader(m: Message): void {
    const r = this.r;
    const pr = r.progress.get(m.from)!;
    switch (m.type) {
      case 'AppendResp':
        pr.recentActive = true;
        if (handleAppendResp(r, m, pr)) releasePendingReads(r);
        sendTimeoutNowIfCaughtUp(r, m.from);
        return;
      case 'HeartbeatResp':
        pr.recentActive = true;
        handleHeartbeatResp(r, m, pr);
        if (m.context !== null) onReadAck(r, m.from, m.context);
        return;
      case 'ReadIndex':
        leaderReadIndex(r, { context: m.context, from: m.from });
        return;
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    const r = this.r;
    switch (m.type) {
      case 'Append':
        r.electionElapsed = 0;
        r.lead = m.from;
        handleAppend(r, m);
        return;
      case 'Heartbeat':
        r.electionElapsed = 0;
        r.lead = m.from;
        handleHeartbeat(r, m);
        return;
      case 'Snapshot':
        r.electionElapsed = 0;
        r.lead = m.from;
        handleSnapshot(r, m);
        return;
      case 'TimeoutNow':
        hup(r, true);
        return;
      case 'ReadIndexResp':
        r.readStates.push({ index: m.index, context: m.context });
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    const r = this.r;
    switch (m.type) {
      case 'Append':
        r.becomeFollower(m.term, m.from);
        handleAppend(r, m);
        return;
      case 'Heartbeat':
        r.becomeFollower(m.term, m.from);
        handleHeartbeat(r, m);
        return;
      case 'Snapshot':
        r.becomeFollower(m.term, m.from);
        handleSnapshot(r, m);
        return;
      case 'PreVoteResp':
      case 'VoteResp':
        handleVoteResp(r, m);
        return;
      default:
        return;
    }
  }

  /**
   * Appends `data` to the log if this node leads and is not handing leadership over.
   * Entries proposed between two Readies leave together, one Append per follower.
   */
  propose(data: string): ProposeResult {
    const r = this.r;
    if (r.role !== 'leader') return { accepted: false, leader: r.lead };
    if (r.transferee !== null) return { accepted: false, leader: r.transferee };
    const index = appendAsLeader(r, [{ kind: 'normal', data }]);
    r.proposed = true;
    return { accepted: true, index, term: r.term };
  }

  /**
   * Asks for a linearizable read. The answer comes as a ReadState with the same context
   * (unique across the group) in a later Ready; false when no leader is known.
   */
  readIndex(context: string): boolean {
    const r = this.r;
    if (r.role === 'leader') {
      leaderReadIndex(r, { context, from: r.id });
      return true;
    }
    if (r.role === 'follower' && r.lead !== null) {
      r.send({ type: 'ReadIndex', to: r.lead, context });
      return true;
    }
    return false;
  }

  /** On the leader: hands leadership to `to` once it has caught up. */
  transferLeadership(to: NodeId): boolean {
    return transferLeadership(this.r, to);
  }

  /**
   * On the leader: for each follower, the last index known to match the leader's log and
   * whether it was heard from within the current election timeout. Empty on other members.
   */
  followers(): Map<NodeId, { match: number; active: boolean }> {
    const r = this.r;
    if (r.role !== 'leader') return new Map();
    return new Map(
      r.others.map((id) => {
        const pr = r.progress.get(id)!;
        return [id, { match: pr.match, active: pr.recentActive }];
      }),
    );
  }

  /** Starts an election now, as if the election timeout had passed. */
  campaign(): void {
    hup(this.r, false);
  }

  /**
   * The state machine has a snapshot `data` of everything up to `index` (applied); the next
   * Ready asks to persist it and drop the entries it covers. False if not newer.
   */
  compact(index: number, data: string): boolean {
    const log = this.r.log;
    if (index > log.applied) {
      throw new Error(`cannot snapshot at ${index}: only ${log.applied} is applied`);
    }
    const current = Math.max(log.snapshot().meta.index, this.compaction?.meta.index ?? 0);
    if (index <= current) return false;
    this.compaction = { meta: { index, term: log.term(index)! }, data };
    return true;
  }

  /** From the transport: whether a snapshot reached `to`. */
  reportSnapshot(to: NodeId, delivered: boolean): void {
    const pr = this.r.progress.get(to);
    if (this.r.role !== 'leader' || !pr || pr.state !== 'snapshot') return;
    if (!delivered) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the next heartbeat response before probing again.
    pr.probeSent = true;
  }

  /**
   * From the transport: `to` could not be reached. A leader stops pipelining to it; a follower
   * whose leader it is campaigns soon instead of waiting out the election timeout.
   */
  reportUnreachable(to: NodeId): void {
    const r = this.r;
    const pr = r.progress.get(to);
    if (r.role === 'leader' && pr?.state === 'replicate') pr.becomeProbe();
    else if (r.role === 'follower' && r.lead === to) leaderUnreachable(r);
  }

  private hardState(): HardState {
    return { term: this.r.term, vote: this.r.vote, commit: this.r.log.committed };
  }

  private hardStateChanged(): boolean {
    const hs = this.prevHardState;
    const r = this.r;
    return hs.term !== r.term || hs.vote !== r.vote || hs.commit !== r.log.committed;
  }

  /** Whether ready() has work; false while a Ready is out and not yet advanced. */
  hasReady(): boolean {
    if (this.outstanding) return false;
    const r = this.r;
    return (
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      (r.proposed && r.role === 'leader') ||
      r.log.hasUnstableEntries() ||
      r.log.unstableSnapshot() !== null ||
      r.log.hasNextCommitted() ||
      this.compaction !== null ||
      this.hardStateChanged()
    );
  }

  ready(): Ready {
    if (this.outstanding) throw new Error('ready() called before advance() of the last Ready');
    const r = this.r;
    if (r.proposed) flushProposals(r);
    const changed = this.hardStateChanged();
    const rd: Ready = {
      hardState: changed ? this.hardState() : null,
      entries: r.log.unstableEntries(),
      snapshot: r.log.unstableSnapshot(),
      compaction: this.compaction,
      committedEntries: r.log.hasNextCommitted()
        ? r.log.nextCommitted(r.settings.maxApplySize)
        : [],
      messages: r.msgs,
      readStates: r.readStates,
    };
    r.msgs = [];
    r.readStates = [];
    if (rd.hardState) this.prevHardState = rd.hardState;
    this.compaction = null;
    this.outstanding = rd;
    return rd;
  }

  /** The Ready was persisted, sent and applied. */
  advance(rd: Ready): void {
    if (rd !== this.outstanding) throw new Error('advance() of a Ready that is not outstanding');
    this.outstanding = null;
    const log = this.r.log;
    const last = rd.entries[rd.entries.length - 1];
    if (last) log.stableTo(last.index, last.term);
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.meta.index);
      log.appliedSnapshot(rd.snapshot.meta.index);
    }
    const applied = rd.committedEntries[rd.committedEntries.length - 1];
    if (applied) log.appliedTo(applied.index);
  }

  status(): RaftStatus {
    const r = this.r;
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      leader: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      firstIndex: r.log.firstIndex(),
      lastIndex: r.log.lastIndex(),
      transferee: r.transferee,
    };
  }

  /** A leader's view of how far each follower's log matches its own; empty on a follower. */
  followerMatches(): Array<{ id: NodeId; match: number }> {
    const r = this.r;
    if (r.role !== 'leader') return [];
    return [...r.progress]
      .filter(([id]) => id !== r.id)
      .map(([id, pr]) => ({ id, match: pr.match }));
  }

  /** Term of the entry at `index`, if the log (or its snapshot boundary) still has it. */
  termAt(index: number): number | undefined {
    return this.r.log.term(index);
  }
}
