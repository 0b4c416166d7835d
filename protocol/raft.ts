import { z } from 'zod';
import { PROTOCOL_VERSION } from './version.js';

// The wire form of the Raft core's messages (coordinator/raft/types.ts), exchanged between
// coordinators of one cluster. The compile-time checks at the end keep the two in step.

const NodeId = z.string().min(1).max(64);
const Index = z.number().int().nonnegative();

export const RaftEntry = z.object({
  index: Index,
  term: Index,
  kind: z.enum(['normal', 'noop']),
  data: z.string(),
});

export const RaftHardState = z.object({ term: Index, vote: NodeId.nullable(), commit: Index });

export const RaftSnapshot = z.object({
  meta: z.object({ index: Index, term: Index }),
  data: z.string(),
});

const envelope = { from: NodeId, to: NodeId, term: Index };

export const RaftMessage = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('PreVote'), lastIndex: Index, lastTerm: Index }),
  z.object({
    ...envelope,
    type: z.literal('Vote'),
    lastIndex: Index,
    lastTerm: Index,
    transfer: z.boolean(),
  }),
  z.object({ ...envelope, type: z.literal('PreVoteResp'), reject: z.boolean() }),
  z.object({ ...envelope, type: z.literal('VoteResp'), reject: z.boolean() }),
  z.object({
    ...envelope,
    type: z.literal('Append'),
    prevIndex: Index,
    prevTerm: Index,
    entries: z.array(RaftEntry),
    commit: Index,
  }),
  z.object({
    ...envelope,
    type: z.literal('AppendResp'),
    index: Index,
    reject: z.boolean(),
    hintIndex: Index,
    hintTerm: Index,
  }),
  z.object({
    ...envelope,
    type: z.literal('Heartbeat'),
    commit: Index,
    context: z.string().nullable(),
  }),
  z.object({ ...envelope, type: z.literal('HeartbeatResp'), context: z.string().nullable() }),
  z.object({ ...envelope, type: z.literal('Snapshot'), snapshot: RaftSnapshot }),
  z.object({ ...envelope, type: z.literal('TimeoutNow') }),
  z.object({ ...envelope, type: z.literal('ReadIndex'), context: z.string() }),
  z.object({ ...envelope, type: z.literal('ReadIndexResp'), index: Index, context: z.string() }),
]);
export type RaftMessage = z.infer<typeof RaftMessage>;

/** One frame on a peer connection: the messages one tick produced for that peer. */
export const RaftBatch = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('raft'),
  messages: z.array(RaftMessage),
});
export type RaftBatch = z.infer<typeof RaftBatch>;

/** What peer frames decode against (a union, as `decodeMessage` expects). */
export const RaftFrame = z.discriminatedUnion('type', [RaftBatch]);
