import {
  parseWith,
  RestRegisterWorkerBody,
  type RestRegisterWorkerReply,
  RestWorkerStatusBody,
  type RestWorkerStatusReply,
  type RestWorkerView,
} from '../../../protocol/index.js';
import { type WorkerRecord, workerHealthView } from '../../state/index.js';
import {
  claimWorkerId,
  registrationOutcome,
  speakForWorkerProblem,
} from '../../worker-identity.js';
import { sendRestError, writeJson } from '../errors.js';
import { type RouteCall, type RouteDeps, roleOf } from '../route.js';

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

/**
 * `POST /api/workers/register`: records a worker without a live connection (it gets tasks
 * once it connects to `/ws`); its first registration is answered with its secret.
 */
export async function registerWorker(call: RouteCall, { ctx }: RouteDeps): Promise<void> {
  const { res } = call;
  const parsed = parseWith(RestRegisterWorkerBody, call.body, 'worker registration');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  const { secret, ...body } = parsed.message;
  const role = roleOf(call);
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
  writeJson(res, 201, reply);
}

/** `POST /api/workers/status`: a heartbeat, or a worker reporting itself lost. */
export async function workerStatus(call: RouteCall, { ctx }: RouteDeps): Promise<void> {
  const { res } = call;
  const parsed = parseWith(RestWorkerStatusBody, call.body, 'worker status');
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
  const problem = speakForWorkerProblem(worker, secret, roleOf(call));
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
  const reply: RestWorkerStatusReply = { workerId: worker.id, status: worker.status };
  writeJson(res, 200, reply);
}

export function listWorkers({ res }: RouteCall, { ctx }: RouteDeps): void {
  const now = ctx.now();
  const workers: RestWorkerView[] = [...ctx.state.workers.values()].map((worker) => ({
    ...workerView(worker),
    health: workerHealthView(ctx.state, worker, now),
  }));
  writeJson(res, 200, { workers });
}
