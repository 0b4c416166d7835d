import type { ProtocolError, RetargetReply, RetargetRequest } from '../protocol/index.js';
import type { Audited } from './audit-stamp.js';
import type { CoordinatorContext } from './context.js';
import { ownerLimit, ownershipRefusal, type Requester } from './ownership.js';
import type { CoordinatorState, StateEvent } from './state/index.js';

export type RetargetOutcome = { error: ProtocolError } | RetargetReply;

/**
 * Accepts a validated retarget from any edge (REST or WebSocket); `reply` runs once it is
 * durable (in a cluster, committed), or with the refusal when this member cannot commit it.
 */
export function requestRetarget(
  ctx: CoordinatorContext,
  request: RetargetRequest,
  requester: Requester & Audited,
  reply: (outcome: RetargetOutcome) => void,
): void {
  const { taskIds, requirements, revokeRunning } = request;
  const refused = ownershipRefusal(ctx.state, requester, { taskIds });
  if (refused !== undefined) {
    reply({ error: refused });
    return;
  }
  const owner = ownerLimit(requester);
  ctx.commit.submit(
    {
      type: 'RetargetTasks',
      now: ctx.now(),
      taskIds,
      requirements,
      revokeRunning,
      ...(owner === undefined ? {} : { owner }),
      ...(requester.audit === undefined ? {} : { audit: requester.audit }),
    },
    (events) => {
      const outcome = retargetReply(ctx.state, taskIds, events);
      ctx.logger.info(
        { retargeted: outcome.retargeted.length, revoked: outcome.revoked.length },
        'tasks retargeted',
      );
      reply(outcome);
    },
    (error) => reply({ error }),
  );
}

/** What the retarget's events say it did; the ids it passed over are unknown or ended. */
function retargetReply(
  state: CoordinatorState,
  taskIds: readonly string[],
  events: readonly StateEvent[],
): RetargetReply {
  const reply: RetargetReply = { retargeted: [], revoked: [], notFound: [], ended: [] };
  for (const event of events) {
    if (event.type !== 'TaskRetargeted') continue;
    reply.retargeted.push(event.task.id);
    if (event.revoked) reply.revoked.push(event.task.id);
  }
  const retargeted = new Set(reply.retargeted);
  for (const taskId of new Set(taskIds)) {
    if (retargeted.has(taskId)) continue;
    const task = state.tasks.get(taskId);
    if (task === undefined) reply.notFound.push(taskId);
    else reply.ended.push({ taskId, state: task.state });
  }
  return reply;
}
