import type { Command, CoordinatorState } from '../state/index.js';

/** Commands that expire every worker silent for longer than the heartbeat allowance. */
type ExpireWorker = Extract<Command, { type: 'ExpireWorker' }>;

export function expiredWorkers(state: CoordinatorState, now: number): ExpireWorker[] {
  const { heartbeatIntervalMs, heartbeatMisses } = state.config;
  const allowance = heartbeatIntervalMs * heartbeatMisses;
  const commands: ExpireWorker[] = [];
  for (const worker of state.workers.values()) {
    if (worker.status === 'dead' || now - worker.lastSeen <= allowance) continue;
    commands.push({
      type: 'ExpireWorker',
      now,
      workerId: worker.id,
      reason: `no heartbeat for ${now - worker.lastSeen} ms`,
    });
  }
  return commands;
}
