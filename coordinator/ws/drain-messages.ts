import type WebSocket from 'ws';
import {
  type DrainingMessage,
  PROTOCOL_VERSION,
  type RegisterMessage,
  type ReleasedMessage,
  type ReleaseMessage,
} from '../../protocol/index.js';
import type { CoordinatorContext } from '../context.js';
import { send } from './send.js';

/**
 * A registered worker's `draining` (it takes no new tasks) or `release` (attempts it hands
 * back, answered by `released` once the requeue is durable).
 */
export function handleDrainMessage(
  ctx: CoordinatorContext,
  socket: WebSocket,
  workerId: string,
  message: DrainingMessage | ReleaseMessage,
): void {
  const now = ctx.now();
  if (message.type === 'draining') {
    ctx.logger.info({ workerId, graceMs: message.graceMs }, 'worker draining');
    ctx.commit.submit({
      type: 'DrainWorker',
      now,
      workerId,
      by: 'worker',
      ...(message.graceMs === undefined ? {} : { graceMs: message.graceMs }),
    });
    return;
  }
  const { leases, reason } = message;
  ctx.commit.submit({ type: 'ReleaseTasks', now, workerId, leases, reason }, (events) => {
    const returned = new Set<string>();
    for (const event of events) if (event.type === 'TaskRequeued') returned.add(event.task.id);
    const reply: ReleasedMessage = {
      v: PROTOCOL_VERSION,
      type: 'released',
      acks: leases.map(({ taskId, attempt }) => ({
        taskId,
        attempt,
        returned: returned.has(taskId),
      })),
    };
    if (message.id !== undefined) reply.id = message.id;
    send(socket, reply);
    ctx.logger.info(
      { workerId, returned: returned.size, stale: leases.length - returned.size, reason },
      'worker handed tasks back',
    );
  });
}

/**
 * A worker registering as not draining while the coordinator has it draining (an admin drained
 * it while it was disconnected, so it never heard): tell it again, with its own grace period.
 */
export function redrainOnRegister(
  ctx: CoordinatorContext,
  socket: WebSocket,
  workerId: string,
  message: RegisterMessage,
): void {
  if (message.draining === true || ctx.state.workers.get(workerId)?.draining !== true) return;
  send(socket, { v: PROTOCOL_VERSION, type: 'drain' });
}
