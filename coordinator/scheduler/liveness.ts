import { attemptTimeoutMs, type Command, type CoordinatorState, isGone } from '../state/index.js';

type ExpireWorker = Extract<Command, { type: 'ExpireWorker' }>;
type ExpireLease = Extract<Command, { type: 'ExpireLease' }>;

/** How long a worker is silent before it counts as dead: the heartbeats it may miss. */
function heartbeatAllowanceMs(state: CoordinatorState): number {
  return state.config.heartbeatIntervalMs * state.config.heartbeatMisses;
}

/**
 * A time the coordinator's event loop was blocked, `ms` long up to `endedAt`. Heartbeats that
 * arrived meanwhile waited in their sockets, so the silence it caused is not the workers'.
 */
export interface LoopStall {
  endedAt: number;
  ms: number;
}

/** How much of the time since `since` the coordinator itself was stalled. */
function stalledSince(stalls: readonly LoopStall[], since: number): number {
  let ms = 0;
  for (const stall of stalls) {
    if (stall.endedAt > since) ms += Math.min(stall.ms, stall.endedAt - since);
  }
  return ms;
}

/**
 * Commands that expire every worker silent for longer than the heartbeat allowance, not
 * counting the coordinator's own `stalls` since its last heartbeat.
 */
export function expiredWorkers(
  state: CoordinatorState,
  now: number,
  stalls: readonly LoopStall[] = [],
): ExpireWorker[] {
  const allowance = heartbeatAllowanceMs(state);
  const commands: ExpireWorker[] = [];
  for (const worker of state.workers.values()) {
    if (isGone(worker) || now - worker.lastSeen <= allowance) continue;
    const stalled = stalledSince(stalls, worker.lastSeen);
    if (now - worker.lastSeen - stalled <= allowance) continue;
    commands.push({
      type: 'ExpireWorker',
      now,
      workerId: worker.id,
      reason:
        stalled === 0
          ? `no heartbeat for ${now - worker.lastSeen} ms`
          : `no heartbeat for ${now - worker.lastSeen} ms (${stalled} ms of it the coordinator was stalled)`,
    });
  }
  return commands;
}

/**
 * Commands that expire attempts still without a result well past their timeout. The worker
 * enforces timeouts itself; this catches one that is alive but never reports (a hung page, a
 * runner that ignores its deadline). The grace leaves it time to kill the task and report.
 */
export function expiredLeases(state: CoordinatorState, now: number): ExpireLease[] {
  const graceMs = 2 * heartbeatAllowanceMs(state) + 1_000;
  const commands: ExpireLease[] = [];
  for (const worker of state.workers.values()) {
    for (const taskId of worker.running) {
      const task = state.tasks.get(taskId)!;
      const timeoutMs = attemptTimeoutMs(task);
      const overMs = now - (task.startedAt ?? task.assignedAt ?? now) - timeoutMs;
      if (overMs <= graceMs) continue;
      const { attempt, leaseToken } = task;
      commands.push({
        type: 'ExpireLease',
        now,
        lease: { taskId, attempt, leaseToken },
        reason: `lease expired: no result ${timeoutMs + overMs} ms after the start, timeout ${timeoutMs} ms`,
      });
    }
  }
  return commands;
}
