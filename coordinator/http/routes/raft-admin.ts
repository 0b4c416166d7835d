import { Router } from 'express';
import {
  parseWith,
  RestTransferLeadershipBody,
  type RestTransferLeadershipReply,
} from '../../../protocol/index.js';
import type { Credentials } from '../../auth/index.js';
import type { CoordinatorContext } from '../../context.js';
import { requireRole } from '../auth.js';
import { sendRestError } from '../errors.js';

/**
 * `POST /api/raft/transfer_leadership` (admin): the leader hands leadership over before a
 * restart. A follower sends the request on to the leader like any write.
 */
export function raftAdminRoutes(
  ctx: CoordinatorContext,
  credentials: Credentials | undefined,
): Router {
  const router = Router();
  router.post(
    '/raft/transfer_leadership',
    requireRole(credentials, ['admin']),
    async (req, res) => {
      const cluster = ctx.cluster;
      if (cluster === undefined) {
        sendRestError(
          res,
          'not_found',
          'this coordinator runs alone (no --peers): there is no leadership to transfer',
        );
        return;
      }
      const parsed = parseWith(RestTransferLeadershipBody, req.body ?? {}, 'transfer request');
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
      res.json(reply);
    },
  );
  return router;
}
