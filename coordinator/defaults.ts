import type { AdmissionLimits } from './admission.js';

/** The coordinator's policy defaults: each is a flag of `dtf coordinator` (see docs/cli.md). */

/** Heartbeats a worker may miss before it counts as dead and its leases expire. */
export const DEFAULT_HEARTBEAT_MISSES = 3;

/** A queued task gains one priority level per this many ms waited (aging). */
export const DEFAULT_AGING_INTERVAL_MS = 60_000;

/** Workers whose health score (0-100) is under this get no new tasks. */
export const DEFAULT_HEALTH_THRESHOLD = 70;

/** Consecutive infrastructure failures (timeouts included) that open a worker's circuit breaker. */
export const DEFAULT_BREAKER_FAILURES = 3;

/** How long an open breaker stays open before it lets one probe task through (half-open). */
export const DEFAULT_BREAKER_COOLDOWN_MS = 300_000;

/**
 * Cluster mode: applied log entries after the last state snapshot beyond which a member takes
 * a new one and compacts its log, keeping a tenth of this as a tail.
 */
export const DEFAULT_SNAPSHOT_ENTRIES = 10_000;

/** Largest file the coordinator's artifact store accepts by default (models, mostly). */
export const DEFAULT_MAX_ARTIFACT_BYTES = 200 * 1024 * 1024;

/** Runs of each suite the results store keeps (`--retain-runs`); older ones are pruned. */
export const DEFAULT_RETAIN_RUNS = 200;

/** Days the results store keeps a run (`--retain-days`). */
export const DEFAULT_RETAIN_DAYS = 90;

/**
 * Admission control: a managed key's submit rate and burst (the own admin key has none), and the
 * unfinished tasks one key and all keys may have: bounds on memory and on what a key can flood.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = {
  ratePerKey: 5_000,
  burstPerKey: 50_000,
  maxQueuedPerKey: 500_000,
  maxQueued: 1_000_000,
};
