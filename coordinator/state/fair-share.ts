import type { SchedulingPolicy } from './policy.js';
import type { CoordinatorState } from './types.js';

/** The fair-share group of a task: its `group`, or one shared group for tasks without. */
export function shareGroup(group: string | undefined): string {
  return group ?? '';
}

/** A group's virtual time: lower is owed more. A group coming back starts at the floor. */
export function groupPass(state: CoordinatorState, group: string): number {
  return Math.max(state.groupPass.get(group) ?? 0, state.passFloor);
}

/** The pass a group moves to when one more of its tasks is placed (stride scheduling). */
export function passAfterPlacing(pass: number, group: string, policy: SchedulingPolicy): number {
  const weight = policy.groupWeights[group] ?? 1;
  return pass + 1 / (weight > 0 ? weight : 1);
}

/** Advances the group's virtual time for a task placed. */
export function chargeGroup(
  state: CoordinatorState,
  group: string,
  policy: SchedulingPolicy,
): void {
  const pass = groupPass(state, group);
  state.passFloor = pass;
  state.groupPass.set(group, passAfterPlacing(pass, group, policy));
}
