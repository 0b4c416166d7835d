import { Router } from 'express';
import {
  parseWith,
  RestRegisterWorkerBody,
  RestWorkerStatusBody,
  type RestWorkerView,
} from '../../../protocol/index.js';
import type { Credentials } from '../../auth/index.js';
import type { CoordinatorContext } from '../../context.js';
import { type WorkerRecord, workerHealthView } from '../../state/index.js';
import { requireRole } from '../auth.js';
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
    const body = parsed.message;
    await ctx.commit.submitAndWait({
      type: 'RegisterWorker',
      now: ctx.now(),
      ...body,
      inFlight: null,
    });
    res
      .status(201)
      .json({ workerId: body.workerId, heartbeatIntervalMs: ctx.state.config.heartbeatIntervalMs });
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
    const { status, reason } = parsed.message;
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
