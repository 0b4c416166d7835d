import {
  parseWith,
  RestTransferLeadershipBody,
  type RestTransferLeadershipReply,
} from '../../../protocol/index.js';
import { sendRestError, writeJson } from '../errors.js';
import { auditedCall, type RouteCall, type RouteDeps } from '../route.js';

/**
 * `POST /api/raft/transfer_leadership` (admin): the leader hands leadership over before a
 * restart. A follower sends the request on to the leader like any write.
 */
export async function transferLeadership(call: RouteCall, { ctx }: RouteDeps): Promise<void> {
  const { body, res } = call;
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
  // Recorded before the handover, while this member still leads and can commit it.
  const { audit } = auditedCall(call);
  if (audit !== undefined) {
    await ctx.commit.submitAndWait({
      type: 'RecordAudit',
      now: ctx.now(),
      audit,
      action: 'leadership.transfer',
      target: `from ${cluster.status().id} to ${to ?? 'the most up-to-date follower'}`,
    });
  }
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
