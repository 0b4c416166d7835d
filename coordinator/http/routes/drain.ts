import {
  parseWith,
  RestDrainWorkerBody,
  type RestDrainWorkerReply,
} from '../../../protocol/index.js';
import { type CoordinatorState, isGone, type WorkerRecord } from '../../state/index.js';
import { sendRestError, writeJson } from '../errors.js';
import { auditedCall, type RouteCall, type RouteDeps } from '../route.js';

type Lookup = { worker: WorkerRecord } | { error: string; ambiguous: boolean };

/** A worker by id, or else by name when exactly one worker has it. */
export function findWorker(state: CoordinatorState, idOrName: string): Lookup {
  const byId = state.workers.get(idOrName);
  if (byId !== undefined) return { worker: byId };
  const named = [...state.workers.values()].filter((w) => w.name === idOrName);
  if (named.length === 1) return { worker: named[0]! };
  if (named.length === 0) {
    return { error: `no worker with id or name '${idOrName}'`, ambiguous: false };
  }
  // Prefer the one live worker of that name (a restarted process keeps its name, not its id).
  const live = named.filter((w) => !isGone(w));
  if (live.length === 1) return { worker: live[0]! };
  return {
    error: `${named.length} workers are named '${idOrName}'; give an id (${named.map((w) => w.id).join(', ')})`,
    ambiguous: true,
  };
}

/**
 * `POST /api/workers/:id/drain` (admin): the worker takes no new tasks at once; a connected
 * worker is told to finish within the grace period, hand back the rest and exit.
 */
export async function drainWorker(call: RouteCall, { ctx }: RouteDeps): Promise<void> {
  const { params, body, res } = call;
  const parsed = parseWith(RestDrainWorkerBody, body ?? {}, 'drain request');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  const found = findWorker(ctx.state, params.id!);
  if ('error' in found) {
    sendRestError(res, found.ambiguous ? 'invalid_message' : 'not_found', found.error);
    return;
  }
  const { worker } = found;
  const { graceMs } = parsed.message;
  await ctx.commit.submitAndWait({
    type: 'DrainWorker',
    now: ctx.now(),
    workerId: worker.id,
    by: 'admin',
    ...(graceMs === undefined ? {} : { graceMs }),
    ...auditedCall(call),
  });
  ctx.logger.info({ workerId: worker.id, graceMs }, 'drain requested');
  const reply: RestDrainWorkerReply = {
    workerId: worker.id,
    name: worker.name,
    status: worker.status,
    draining: worker.draining,
    notified: worker.status === 'connected',
    running: worker.running.size,
  };
  if (graceMs !== undefined) reply.graceMs = graceMs;
  writeJson(res, 200, reply);
}
