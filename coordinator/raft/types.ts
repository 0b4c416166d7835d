// Plain data types of the Raft core. The wire schemas (zod, in protocol/) come with the
// transport; these are what the pure node consumes and produces.

export type NodeId = string;

export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader';

/** `noop` is the empty entry a new leader appends to commit its term; apps skip it. */
export type EntryKind = 'normal' | 'noop';

export interface Entry {
  index: number;
  term: number;
  kind: EntryKind;
  data: string;
}

export interface HardState {
  term: number;
  vote: NodeId | null;
  commit: number;
}

export interface SnapshotMeta {
  /** Last log index the snapshot covers, and that entry's term. */
  index: number;
  term: number;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: string;
}

interface Envelope {
  from: NodeId;
  to: NodeId;
  term: number;
}

export interface PreVoteMsg extends Envelope {
  /** The term the sender would campaign in; its own term is not bumped. */
  type: 'PreVote';
  lastIndex: number;
  lastTerm: number;
}

export interface VoteMsg extends Envelope {
  type: 'Vote';
  lastIndex: number;
  lastTerm: number;
  /** Set for a campaign started by TimeoutNow: voters answer even within a leader lease. */
  transfer: boolean;
}

export interface VoteRespMsg extends Envelope {
  type: 'PreVoteResp' | 'VoteResp';
  reject: boolean;
}

export interface AppendMsg extends Envelope {
  type: 'Append';
  prevIndex: number;
  prevTerm: number;
  entries: Entry[];
  commit: number;
}

export interface AppendRespMsg extends Envelope {
  type: 'AppendResp';
  /** Accepted: the follower's last index matching the leader. Rejected: the rejected prevIndex. */
  index: number;
  reject: boolean;
  /** On reject: the follower's guess at the last index that may match, and its term there. */
  hintIndex: number;
  hintTerm: number;
}

export interface HeartbeatMsg extends Envelope {
  type: 'Heartbeat';
  commit: number;
  /** ReadIndex context being confirmed by this heartbeat round, if any. */
  context: string | null;
}

export interface HeartbeatRespMsg extends Envelope {
  type: 'HeartbeatResp';
  context: string | null;
}

export interface SnapshotMsg extends Envelope {
  type: 'Snapshot';
  snapshot: Snapshot;
}

export interface TimeoutNowMsg extends Envelope {
  type: 'TimeoutNow';
}

export interface ReadIndexMsg extends Envelope {
  /** A follower asking the leader to confirm a read. */
  type: 'ReadIndex';
  context: string;
}

export interface ReadIndexRespMsg extends Envelope {
  type: 'ReadIndexResp';
  index: number;
  context: string;
}

export type Message =
  | PreVoteMsg
  | VoteMsg
  | VoteRespMsg
  | AppendMsg
  | AppendRespMsg
  | HeartbeatMsg
  | HeartbeatRespMsg
  | SnapshotMsg
  | TimeoutNowMsg
  | ReadIndexMsg
  | ReadIndexRespMsg;

export type MessageType = Message['type'];

/** A confirmed linearizable read: serve it once the state machine has applied `index`. */
export interface ReadState {
  index: number;
  context: string;
}

/**
 * What the node needs done. In order: persist `snapshot`, `entries`, `hardState` and
 * `compaction` (atomically), then send `messages`, then apply `snapshot` and
 * `committedEntries` to the state machine, then call `advance(ready)`.
 */
export interface Ready {
  hardState: HardState | null;
  /** New log entries; an entry replaces any stored entry at the same or a later index. */
  entries: Entry[];
  /** A snapshot received from the leader: persist it and restore the state machine from it. */
  snapshot: Snapshot | null;
  /** A snapshot the application asked for (`compact`): persist it, drop entries up to it. */
  compaction: Snapshot | null;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
}

export interface RaftConfig {
  id: NodeId;
  /** All voters, this node included. Membership is static. */
  peers: NodeId[];
  /** Base election timeout in ticks; each term draws one in [electionTicks, 2*electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  /** Uniform in [0, 1). Injected so that the core stays deterministic. */
  random: () => number;
  preVote?: boolean;
  checkQuorum?: boolean;
  /** Budget for the entries of one Append, in approximate bytes (at least one entry is sent). */
  maxSizePerMsg?: number;
  /** Appends in flight to one follower before the leader waits for acknowledgements. */
  maxInflightMsgs?: number;
  /** Budget for one Ready's committed entries, in approximate bytes. */
  maxApplySize?: number;
  /** Index the state machine already reflects after a restart; defaults to the snapshot's. */
  applied?: number;
}

export type ProposeResult =
  | { accepted: true; index: number; term: number }
  | { accepted: false; leader: NodeId | null };

export interface RaftStatus {
  id: NodeId;
  role: Role;
  term: number;
  vote: NodeId | null;
  leader: NodeId | null;
  commit: number;
  applied: number;
  firstIndex: number;
  lastIndex: number;
  transferee: NodeId | null;
}
