import { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { ReadIndexQueue, type ReadRequest } from './read-index.js';
import type { Storage } from './storage.js';
import type { Message, NodeId, RaftConfig, ReadState, Role } from './types.js';

/** A message as built by the node: `from` is filled in, `term` defaults to the current one. */
export type Outgoing = Message extends infer M
  ? M extends Message
    ? Omit<M, 'from' | 'term'> & { term?: number }
    : never
  : never;

export interface Settings {
  electionTicks: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  maxApplySize: number;
  random: () => number;
}

/** The mutable state of one Raft node, shared by the election, replication and read modules. */
export class Raft {
  readonly id: NodeId;
  readonly peers: NodeId[];
  readonly others: NodeId[];
  readonly settings: Settings;
  readonly log: RaftLog;

  term: number;
  vote: NodeId | null;
  lead: NodeId | null = null;
  role: Role = 'follower';

  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  transferee: NodeId | null = null;

  reads = new ReadIndexQueue();
  /** Reads that reached a new leader before it committed an entry of its own term. */
  pendingReads: ReadRequest[] = [];
  /** Entries were proposed since the last Ready; they go out together, one Append per peer. */
  proposed = false;

  constructor(config: RaftConfig, storage: Storage) {
    if (!config.peers.includes(config.id)) {
      throw new Error(`peers ${config.peers.join(',')} must include this node ${config.id}`);
    }
    if (config.heartbeatTicks < 1 || config.electionTicks <= config.heartbeatTicks) {
      throw new Error('electionTicks must be greater than heartbeatTicks, which must be >= 1');
    }
    this.id = config.id;
    this.peers = [...new Set(config.peers)];
    this.others = this.peers.filter((p) => p !== this.id);
    this.settings = {
      electionTicks: config.electionTicks,
      heartbeatTicks: config.heartbeatTicks,
      preVote: config.preVote ?? true,
      checkQuorum: config.checkQuorum ?? true,
      maxSizePerMsg: config.maxSizePerMsg ?? 1024 * 1024,
      maxInflightMsgs: config.maxInflightMsgs ?? 256,
      maxApplySize: config.maxApplySize ?? 4 * 1024 * 1024,
      random: config.random,
    };
    this.log = new RaftLog(storage, config.applied);
    const hs = storage.hardState();
    this.term = hs.term;
    this.vote = hs.vote;
    this.becomeFollower(this.term, null);
  }

  send(m: Outgoing): void {
    this.msgs.push({ ...m, from: this.id, term: m.term ?? this.term } as Message);
  }

  /** Moves to `term` (forgetting the vote if it changes) and clears per-role state. */
  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    const base = this.settings.electionTicks;
    this.randomizedElectionTimeout = base + Math.floor(this.settings.random() * base);
    this.transferee = null;
    this.votes = new Map();
    const next = this.log.lastIndex() + 1;
    this.progress = new Map();
    for (const p of this.peers) {
      const pr = new Progress(next, this.settings.maxInflightMsgs);
      if (p === this.id) pr.match = next - 1;
      this.progress.set(p, pr);
    }
    this.reads = new ReadIndexQueue();
    this.pendingReads = [];
  }

  becomeFollower(term: number, lead: NodeId | null): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    // Neither the term nor the vote changes: a pre-vote is only a poll.
    this.votes = new Map();
    this.lead = null;
    this.role = 'precandidate';
  }

  becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  /** Makes this node leader of the current term; the caller appends its no-op entry. */
  becomeLeaderState(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.progress.get(this.id)!.becomeReplicate();
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  /** With check-quorum, a node that heard from a leader within the timeout ignores elections. */
  inLease(): boolean {
    return (
      this.settings.checkQuorum &&
      this.lead !== null &&
      this.electionElapsed < this.settings.electionTicks
    );
  }
}
