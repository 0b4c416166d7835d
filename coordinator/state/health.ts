import type { BreakerState, TaskResult, WorkerHealthView } from '../../protocol/index.js';
import {
  DEFAULT_BREAKER_COOLDOWN_MS,
  DEFAULT_BREAKER_FAILURES,
  DEFAULT_HEALTH_THRESHOLD,
} from '../defaults.js';
import type { CoordinatorState, StateConfig, TaskRecord, WorkerRecord } from './types.js';

/**
 * Worker health: a score from 0 to 100 and a circuit breaker, both kept from what the state
 * machine learns about a worker (results, lease expiries, heartbeats). Pure: time is always a
 * parameter (a command's `now`, or `state.clock`).
 *
 * Score = 100 − failure penalties − jitter penalty, rounded and clamped to 0..100:
 * - each infrastructure failure (a result with `failureKind: 'infrastructure'`) costs 15 points
 *   and each timeout (a `timed_out` result, or a lease the coordinator expired) 10 points, both
 *   fading linearly to nothing over `HEALTH_WINDOW_MS` (10 minutes): a failure a minute ago
 *   costs 15 × 0.9 = 13.5. Three fresh infrastructure failures give 55.
 * - heartbeat jitter costs 50 points per heartbeat interval of average deviation, at most 20:
 *   `min(20, 50 × jitterMs / heartbeatIntervalMs)`, where `jitterMs` is an exponentially weighted
 *   moving average (weight 0.2) of |interval between two heartbeats − heartbeatIntervalMs|.
 *   Jitter alone never brings a worker under the default threshold of 70.
 * A test that ran and failed, an `unsupported` result, a cancelled or preempted attempt and a
 * lost worker do not count: they say nothing about the worker's ability to run tasks. Nor does
 * any failure of a task that failed the same way on two workers (see `blameTask`).
 *
 * The breaker opens after `breakerFailures` (3) consecutive infrastructure failures or timeouts;
 * an open breaker gives the worker no new tasks. `breakerCooldownMs` (300 s) after it opened it
 * is half-open: the worker may run one probe task at a time, whatever its score. The probe's
 * success closes the breaker and clears the failures that opened it; its failure opens it
 * again for another cooldown. Attempts the worker was already running when the breaker opened
 * still count towards the score; one that succeeds while the breaker cools down closes nothing.
 */

/** How long a failure counts towards the score, fading linearly. */
export const HEALTH_WINDOW_MS = 10 * 60_000;
export const INFRASTRUCTURE_FAILURE_PENALTY = 15;
export const TIMEOUT_PENALTY = 10;
/** Score points per heartbeat interval of average jitter. */
export const JITTER_PENALTY_PER_INTERVAL = 50;
export const MAX_JITTER_PENALTY = 20;
/** Weight of the newest heartbeat interval in the jitter average. */
const JITTER_WEIGHT = 0.2;
/** Failures kept per worker; more could not lower the score further (7 already make 0). */
const MAX_RECENT_FAILURES = 32;

export type HealthOutcome = 'success' | 'infrastructure' | 'timeout';

export interface HealthFailure {
  at: number;
  kind: 'infrastructure' | 'timeout';
  /** The task that failed: charges are withdrawn if the task turns out to be the cause. */
  taskId: string;
}

export interface WorkerHealth {
  /** Infrastructure failures and timeouts of the last `HEALTH_WINDOW_MS`, oldest first. */
  recent: HealthFailure[];
  /** Infrastructure failures and timeouts since the last success. */
  consecutiveFailures: number;
  /** When the breaker last opened; absent while it is closed. Half-open once the cooldown ran out. */
  openedAt?: number;
  /** Moving average of how far heartbeat intervals stray from the configured interval, in ms. */
  jitterMs: number;
  /** The previous heartbeat, the start of the next interval measured. */
  lastHeartbeatAt?: number;
}

export interface HealthConfig {
  healthThreshold: number;
  breakerFailures: number;
  breakerCooldownMs: number;
}

export function newWorkerHealth(): WorkerHealth {
  return { recent: [], consecutiveFailures: 0, jitterMs: 0 };
}

export function healthConfig(config: StateConfig): HealthConfig {
  return {
    healthThreshold: config.healthThreshold ?? DEFAULT_HEALTH_THRESHOLD,
    breakerFailures: config.breakerFailures ?? DEFAULT_BREAKER_FAILURES,
    breakerCooldownMs: config.breakerCooldownMs ?? DEFAULT_BREAKER_COOLDOWN_MS,
  };
}

/** What a result says about the worker that produced it; undefined when nothing. */
export function outcomeOf(result: TaskResult): HealthOutcome | undefined {
  switch (result.status) {
    case 'succeeded':
      return 'success';
    case 'timed_out':
      return 'timeout';
    case 'failed':
      return result.failureKind === 'infrastructure' ? 'infrastructure' : undefined;
    case 'unsupported':
      return undefined;
  }
}

export function breakerState(
  health: WorkerHealth,
  now: number,
  config: HealthConfig,
): BreakerState {
  if (health.openedAt === undefined) return 'closed';
  return now - health.openedAt >= config.breakerCooldownMs ? 'half-open' : 'open';
}

function jitterPenalty(health: WorkerHealth, heartbeatIntervalMs: number): number {
  return Math.min(
    MAX_JITTER_PENALTY,
    (JITTER_PENALTY_PER_INTERVAL * health.jitterMs) / heartbeatIntervalMs,
  );
}

/** The score (an integer 0..100) at time `now`; see the formula at the top of this file. */
export function healthScore(
  health: WorkerHealth,
  now: number,
  heartbeatIntervalMs: number,
): number {
  let penalty = jitterPenalty(health, heartbeatIntervalMs);
  for (const failure of health.recent) {
    const age = Math.max(0, now - failure.at);
    if (age >= HEALTH_WINDOW_MS) continue;
    const weight =
      failure.kind === 'infrastructure' ? INFRASTRUCTURE_FAILURE_PENALTY : TIMEOUT_PENALTY;
    penalty += weight * (1 - age / HEALTH_WINDOW_MS);
  }
  return Math.round(Math.min(100, Math.max(0, 100 - penalty)));
}

/**
 * Why the worker's health keeps new tasks from it at `now`, or undefined when it does not: an
 * open breaker; while half-open, a probe already running; otherwise a score under the threshold.
 */
export function healthHoldsBack(
  state: CoordinatorState,
  worker: WorkerRecord,
  now: number = state.clock,
): string | undefined {
  const config = healthConfig(state.config);
  switch (breakerState(worker.health, now, config)) {
    case 'open':
      return 'its circuit breaker is open';
    case 'half-open':
      return worker.running.size === 0 ? undefined : 'its circuit breaker is half-open, probing';
    case 'closed': {
      const score = healthScore(worker.health, now, state.config.heartbeatIntervalMs);
      return score >= config.healthThreshold
        ? undefined
        : `its health score ${score} is under ${config.healthThreshold}`;
    }
  }
}

/** How many leases the worker may hold: one (the probe) while its breaker is half-open. */
export function assignableSlots(state: CoordinatorState, worker: WorkerRecord): number {
  const half = breakerState(worker.health, state.clock, healthConfig(state.config)) === 'half-open';
  return half ? Math.min(1, worker.slots) : worker.slots;
}

/**
 * Whether the task, rather than the worker, is the likelier cause of its failure on
 * `workerId`: it already failed the same way on another worker. Then the charges it left on
 * other workers are withdrawn (closing a breaker they alone opened), and from now on none of
 * its failures is charged to a worker. One broken test must not isolate healthy workers.
 */
function blameTask(state: CoordinatorState, task: TaskRecord, workerId: string): boolean {
  const config = healthConfig(state.config);
  for (const { workerId: otherId } of task.history) {
    if (otherId === null || otherId === workerId) continue;
    const other = state.workers.get(otherId);
    if (other === undefined) continue;
    const health = other.health;
    const kept = health.recent.filter((failure) => failure.taskId !== task.id);
    const withdrawn = health.recent.length - kept.length;
    if (withdrawn === 0) continue;
    task.blamed = true;
    health.recent = kept;
    health.consecutiveFailures = Math.max(0, health.consecutiveFailures - withdrawn);
    if (health.consecutiveFailures < config.breakerFailures) delete health.openedAt;
  }
  return task.blamed === true;
}

/** Records what an attempt of `task` on the worker came to, and moves its breaker. */
export function recordOutcome(
  state: CoordinatorState,
  task: TaskRecord,
  workerId: string,
  outcome: HealthOutcome | undefined,
  now: number,
): void {
  const worker = state.workers.get(workerId);
  if (worker === undefined || outcome === undefined) return;
  if (outcome !== 'success' && blameTask(state, task, workerId)) return;
  const health = worker.health;
  const config = healthConfig(state.config);
  const breaker = breakerState(health, now, config);
  if (outcome === 'success') {
    // While the breaker cools down, only the probe after it may close it.
    if (breaker === 'open') return;
    health.consecutiveFailures = 0;
    if (breaker === 'half-open') {
      delete health.openedAt;
      health.recent = [];
    }
    return;
  }
  health.recent.push({ at: now, kind: outcome, taskId: task.id });
  const cutoff = now - HEALTH_WINDOW_MS;
  while (
    health.recent.length > MAX_RECENT_FAILURES ||
    (health.recent.length > 0 && health.recent[0]!.at <= cutoff)
  ) {
    health.recent.shift();
  }
  health.consecutiveFailures++;
  if (
    breaker === 'half-open' ||
    (breaker === 'closed' && health.consecutiveFailures >= config.breakerFailures)
  ) {
    health.openedAt = now;
  }
}

/** Records a result the worker reported for its live lease. */
export function recordResultHealth(
  state: CoordinatorState,
  task: TaskRecord,
  workerId: string,
  result: TaskResult,
  now: number,
): void {
  recordOutcome(state, task, workerId, outcomeOf(result), now);
}

/**
 * Measures the interval since the worker's previous heartbeat. A gap longer than the worker
 * may stay silent (it reconnected, or the coordinator restarted) starts afresh instead.
 */
export function recordHeartbeat(worker: WorkerRecord, config: StateConfig, now: number): void {
  const health = worker.health;
  const expected = config.heartbeatIntervalMs;
  const previous = health.lastHeartbeatAt;
  health.lastHeartbeatAt = now;
  if (previous === undefined) return;
  const interval = now - previous;
  if (interval < 0 || interval > expected * config.heartbeatMisses) return;
  const deviation = Math.abs(interval - expected);
  health.jitterMs += JITTER_WEIGHT * (deviation - health.jitterMs);
}

/** The worker's health as `GET /api/workers` shows it at `now`. */
export function workerHealthView(
  state: CoordinatorState,
  worker: WorkerRecord,
  now: number,
): WorkerHealthView {
  const health = worker.health;
  const view: WorkerHealthView = {
    score: healthScore(health, now, state.config.heartbeatIntervalMs),
    breaker: breakerState(health, now, healthConfig(state.config)),
    consecutiveFailures: health.consecutiveFailures,
  };
  if (health.openedAt !== undefined) view.openedAt = health.openedAt;
  return view;
}
