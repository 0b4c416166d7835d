import { DEFAULT_AGING_INTERVAL_MS } from '../defaults.js';
import type { StateConfig } from './types.js';

/** How the scheduler orders and places tasks beyond priority and requirements. */
export interface SchedulingPolicy {
  /**
   * A queued task gains one priority level per this many ms waited, so that a steady stream
   * of higher-priority work cannot starve it. 0 turns aging off.
   */
  agingIntervalMs: number;
  /** Fair share between groups: a group's weight (default 1) is its share of placements. */
  groupWeights: Record<string, number>;
  /** Tasks whose recorded run time is under this are packed onto one worker as a batch. */
  smallTaskMs: number;
  /** Whether a task that cannot be placed may stop a lower-priority running one. */
  preemption: boolean;
}

export const DEFAULT_SCHEDULING_POLICY: SchedulingPolicy = {
  agingIntervalMs: DEFAULT_AGING_INTERVAL_MS,
  groupWeights: {},
  smallTaskMs: 50,
  preemption: true,
};

export function schedulingPolicy(config: StateConfig): SchedulingPolicy {
  return { ...DEFAULT_SCHEDULING_POLICY, ...config.scheduling };
}

/** A task's priority raised by how long it has waited since it was submitted. */
export function effectivePriority(
  priority: number,
  waitedMs: number,
  policy: SchedulingPolicy,
): number {
  if (policy.agingIntervalMs <= 0 || waitedMs <= 0) return priority;
  return priority + Math.floor(waitedMs / policy.agingIntervalMs);
}
