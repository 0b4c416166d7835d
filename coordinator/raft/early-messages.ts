import type { HardState, Message, Ready } from './types.js';

/**
 * Splits a Ready's messages into those that may leave before its durable part is written and
 * those that must wait for it. A leader's appends, heartbeats and snapshots may go first, so
 * that its followers write the new entries while it writes them itself (Raft thesis, 10.2.1):
 * the leader counts its own copy towards a commit only when it steps a follower's answer,
 * which happens after this Ready's write. They wait too when the Ready changes the term or the
 * vote, so nothing leaves in a term that is not yet on disk; votes and acks always wait.
 */
export function splitEarlyMessages(
  rd: Ready,
  stored: HardState,
): { early: Message[]; late: Message[] } {
  const termOnDisk =
    rd.hardState === null ||
    (rd.hardState.term === stored.term && rd.hardState.vote === stored.vote);
  if (!termOnDisk) return { early: [], late: rd.messages };
  const early: Message[] = [];
  const late: Message[] = [];
  for (const m of rd.messages) {
    if (m.type === 'Append' || m.type === 'Heartbeat' || m.type === 'Snapshot') early.push(m);
    else late.push(m);
  }
  return { early, late };
}
