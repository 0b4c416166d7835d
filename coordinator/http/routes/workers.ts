import { Router } from 'express';
import {
  parseWith,
  RestRegisterWorkerBody,
  type RestRegisterWorkerReply,
  RestWorkerStatusBody,
  type RestWorkerView,
} from '../../../protocol/index.js';
import type { Credentials } from '../../auth/index.js';
import type { CoordinatorContext } from '../../context.js';
import { type WorkerRecord, workerHealthView } from '../../state/index.js';
import {
  claimWorkerId,
  registrationOutcome,
  speakForWorkerProblem,
} from '../../worker-identity.js';
import { requestRole, requireRole } from '../auth.js';
import { sendRestError } from '../errors.js';

export function workerView(worker: WorkerRecord) {
  return {
    id: worker.id,
    name: worker.name,
    status: worker.status,
    slots: worker.slots,
    running: [...worker.running],
    draining: worker.draining,
    labels: worker.labels,
    capabilities: worker.capabilities,
    registeredAt: worker.registeredAt,
    lastSeen: worker.lastSeen,
  };
}

export function workerRoutes(
  ctx: CoordinatorContext,
  credentials: Credentials | undefined,
): Router {
  const router = Router();
  const workerOrAdmin = requireRole(credentials, ['worker', 'admin']);

  router.post('/workers/register', workerOrAdmin, async (req, res) => {
    const parsed = parseWith(RestRegisterWorkerBody, req.body, 'worker registration');
    if (!parsed.ok) {
      sendRestError(res, parsed.error.code, parsed.error.message);
      return;
    }
    const { secret, ...body } = parsed.message;
    const role = requestRole(res);
    const claimed = claimWorkerId(ctx.state, body.workerId, secret, role);
    if (!claimed.ok) {
      sendRestError(res, claimed.error.code, claimed.error.message);
      return;
    }
    const events = await ctx.commit.submitAndWait({
      type: 'RegisterWorker',
      now: ctx.now(),
      ...body,
      inFlight: null,
      ...claimed.claim.proof,
    });
    const outcome = registrationOutcome(body.workerId, claimed.claim, events);
    if (!outcome.ok) {
      sendRestError(res, outcome.error.code, outcome.error.message);
      return;
    }
    const reply: RestRegisterWorkerReply = {
      workerId: body.workerId,
      heartbeatIntervalMs: ctx.state.config.heartbeatIntervalMs,
    };
    if (outcome.secret !== undefined) reply.secret = outcome.secret;
    res.status(201).json(reply);
  });

  router.post('/workers/status', workerOrAdmin, async (req, res) => {
    const parsed = parseWith(RestWorkerStatusBody, req.body, 'worker status');
    if (!parsed.ok) {
      sendRestError(res, parsed.error.code, parsed.error.message);
      return;
    }
    const worker = ctx.state.workers.get(parsed.message.workerId);
    if (worker === undefined) {
      sendRestError(res, 'not_found', `no worker '${parsed.message.workerId}'; register it first`);
      return;
    }
    const { status, reason, secret } = parsed.message;
    const problem = speakForWorkerProblem(worker, secret, requestRole(res));
    if (problem !== undefined) {
      sendRestError(res, 'forbidden', problem);
      return;
    }
    if (status === 'lost') {
      const why = `reported lost: ${reason ?? 'no reason given'}`;
      await ctx.commit.submitAndWait({
        type: 'ExpireWorker',
        now: ctx.now(),
        workerId: worker.id,
        reason: why,
      });
    } else {
      ctx.commit.submit({ type: 'Heartbeat', now: ctx.now(), workerId: worker.id });
    }
    res.json({ workerId: worker.id, status: worker.status });
  });

  router.get('/workers', requireRole(credentials, ['admin']), (_req, res) => {
    const now = ctx.now();
    const workers: RestWorkerView[] = [...ctx.state.workers.values()].map((worker) => ({
      ...workerView(worker),
      health: workerHealthView(ctx.state, worker, now),
    }));
    res.json({ workers });
  });

  return router;
}
