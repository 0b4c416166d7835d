import type { Logger } from 'pino';
import { MAX_RECONNECT_DELAY_MS } from '../protocol/index.js';
import type { RaftHost } from './cluster/index.js';
import { HealthWatch } from './health-watch.js';
import { LoopStalls } from './loop-stalls.js';
import { expiredLeases, expiredWorkers } from './scheduler/index.js';
import type { CoordinatorState } from './state/index.js';
import type { CommandSink } from './store/index.js';

/** How long the event loop's stalls are remembered for the workers' heartbeat allowance. */
const STALLS_KEPT_MS = 60_000;

/**
 * Every half heartbeat: expires the workers gone silent and the leases run out (allowing for
 * the coordinator's own recent stalls), and wakes the scheduler for workers whose health
 * recovered. In a cluster only the leader does, and a new leader first gives workers their
 * longest reconnect delay to find it. `onTick` runs first on every tick. Returns the stop.
 */
export function startLivenessLoop(options: {
  state: CoordinatorState;
  commit: CommandSink;
  cluster: RaftHost | undefined;
  heartbeatIntervalMs: number;
  logger: Logger;
  onTick: () => void;
}): () => void {
  const { state, commit, cluster, logger } = options;
  const intervalMs = Math.max(50, Math.floor(options.heartbeatIntervalMs / 2));
  const stalls = new LoopStalls(intervalMs, STALLS_KEPT_MS);
  const healthWatch = new HealthWatch(state, commit);
  const timer = setInterval(() => {
    const now = Date.now();
    const recentStalls = stalls.tick(now);
    options.onTick();
    if (
      cluster !== undefined &&
      (!cluster.isLeader || now - cluster.leaderSince < MAX_RECONNECT_DELAY_MS)
    ) {
      return;
    }
    healthWatch.check(now);
    for (const command of expiredWorkers(state, now, recentStalls)) {
      logger.warn({ workerId: command.workerId, reason: command.reason }, 'worker expired');
      commit.submit(command);
    }
    for (const command of expiredLeases(state, now)) {
      logger.warn({ taskId: command.lease.taskId, reason: command.reason }, 'lease expired');
      commit.submit(command);
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
