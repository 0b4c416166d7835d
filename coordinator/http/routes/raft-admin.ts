import {
  parseWith,
  RestTransferLeadershipBody,
  type RestTransferLeadershipReply,
} from '../../../protocol/index.js';
import { sendRestError, writeJson } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';

/**
 * `POST /api/raft/transfer_leadership` (admin): the leader hands leadership over before a
 * restart. A follower sends the request on to the leader like any write.
 */
export async function transferLeadership(
  { body, res }: RouteCall,
  { ctx }: RouteDeps,
): Promise<void> {
  const cluster = ctx.cluster;
  if (cluster === undefined) {
    sendRestError(
      res,
      'not_found',
      'this coordinator runs alone (no --peers): there is no leadership to transfer',
    );
    return;
  }
  const parsed = parseWith(RestTransferLeadershipBody, body ?? {}, 'transfer request');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  const { to, timeoutMs } = parsed.message;
  const outcome = await cluster.transferLeadership(to, timeoutMs);
  if (!outcome.handedOver || outcome.leader === null) {
    sendRestError(
      res,
      'timeout',
      `leadership transfer to ${outcome.to} did not complete within ${timeoutMs} ms; ${outcome.leader ?? 'no member'} leads`,
    );
    return;
  }
  const reply: RestTransferLeadershipReply = {
    from: outcome.from,
    to: outcome.to,
    leader: outcome.leader,
    ms: outcome.ms,
  };
  writeJson(res, 200, reply);
}
