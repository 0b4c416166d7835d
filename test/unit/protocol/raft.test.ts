import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type * as Core from '../../../coordinator/raft/index.js';
import {
  decodeMessage,
  PROTOCOL_VERSION,
  protocolJsonSchema,
  type RaftEntry,
  RaftFrame,
  type RaftHardState,
  type RaftMessage,
  type RaftSnapshot,
} from '../../../protocol/index.js';

// Compile-time: the wire schemas infer exactly the core's types (lint runs tsc over tests).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<z.infer<typeof RaftEntry>, Core.Entry>,
  Same<z.infer<typeof RaftHardState>, Core.HardState>,
  Same<z.infer<typeof RaftSnapshot>, Core.Snapshot>,
  Same<RaftMessage, Core.Message>,
] = [true, true, true, true];

const frame = (messages: unknown[]) =>
  JSON.stringify({ v: PROTOCOL_VERSION, type: 'raft', messages });

describe('Raft wire schemas', () => {
  it('infer the core types', () => {
    expect(sameTypes).toEqual([true, true, true, true]);
  });

  it('accept every message the core sends', () => {
    const envelope = { from: 'c1', to: 'c2', term: 3 };
    const messages: Core.Message[] = [
      { ...envelope, type: 'PreVote', lastIndex: 4, lastTerm: 2 },
      { ...envelope, type: 'Vote', lastIndex: 4, lastTerm: 2, transfer: false },
      { ...envelope, type: 'VoteResp', reject: true },
      {
        ...envelope,
        type: 'Append',
        prevIndex: 1,
        prevTerm: 1,
        entries: [{ index: 2, term: 3, kind: 'normal', data: '{}' }],
        commit: 1,
      },
      { ...envelope, type: 'AppendResp', index: 2, reject: false, hintIndex: 0, hintTerm: 0 },
      { ...envelope, type: 'Heartbeat', commit: 2, context: null },
      { ...envelope, type: 'Snapshot', snapshot: { meta: { index: 9, term: 3 }, data: 'x' } },
      { ...envelope, type: 'TimeoutNow' },
      { ...envelope, type: 'ReadIndexResp', index: 2, context: 'r1' },
    ];
    const decoded = decodeMessage(frame(messages), RaftFrame);
    expect(decoded).toEqual({ ok: true, message: { v: PROTOCOL_VERSION, type: 'raft', messages } });
  });

  it('is published in the JSON Schema', () => {
    const defs = protocolJsonSchema().$defs as Record<string, unknown>;
    expect(JSON.stringify(defs.RaftPeer)).toContain('AppendResp');
  });

  it('names the bad field of a malformed message', () => {
    const decoded = decodeMessage(
      frame([{ from: 'c1', to: 'c2', term: -1, type: 'Heartbeat', commit: 0, context: null }]),
      RaftFrame,
    );
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.message).toContain('messages[0].term');
  });
});
