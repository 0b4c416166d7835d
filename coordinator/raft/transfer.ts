import type { Raft } from './core.js';
import { sendAppend } from './replication.js';
import type { NodeId } from './types.js';

/**
 * Leadership transfer: the leader stops taking proposals, brings `to` up to date, then
 * tells it to campaign at once (TimeoutNow). Abandoned after an election timeout.
 */
export function transferLeadership(r: Raft, to: NodeId): boolean {
  if (r.role !== 'leader' || to === r.id || !r.progress.has(to)) return false;
  if (r.transferee === to) return true;
  r.transferee = to;
  r.electionElapsed = 0;
  if (!sendTimeoutNowIfCaughtUp(r, to)) sendAppend(r, to);
  return true;
}

/** Called as the transferee's progress advances. */
export function sendTimeoutNowIfCaughtUp(r: Raft, from: NodeId): boolean {
  if (from !== r.transferee || r.progress.get(from)!.match !== r.log.lastIndex()) return false;
  r.send({ type: 'TimeoutNow', to: from });
  return true;
}
