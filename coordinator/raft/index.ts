export { splitEarlyMessages } from './early-messages.js';
export { MemoryStorage } from './memory-storage.js';
export { RaftNode } from './node.js';
export {
  type DurableStorage,
  EMPTY_SNAPSHOT,
  entrySize,
  limitSize,
  type PersistUpdate,
  type Storage,
} from './storage.js';
export type {
  AppendMsg,
  AppendRespMsg,
  Entry,
  EntryKind,
  HardState,
  HeartbeatMsg,
  HeartbeatRespMsg,
  Message,
  MessageType,
  NodeId,
  PreVoteMsg,
  ProposeResult,
  RaftConfig,
  RaftStatus,
  ReadIndexMsg,
  ReadIndexRespMsg,
  ReadState,
  Ready,
  Role,
  Snapshot,
  SnapshotMeta,
  SnapshotMsg,
  TimeoutNowMsg,
  VoteMsg,
  VoteRespMsg,
} from './types.js';
