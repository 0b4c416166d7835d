import type { TaskSpec } from '../../protocol/index.js';
import type { CoordinatorState, TaskRecord } from './types.js';

/** Weight of the newest run in the running average of a test's duration. */
const NEWEST_WEIGHT = 0.5;

/** The runs of one test are those of tasks with the same kind and name. */
function durationKey(spec: TaskSpec): string | undefined {
  return spec.name === undefined ? undefined : `${spec.kind}:${spec.name}`;
}

/** Folds a succeeded task's run time into its test's average. */
export function noteDuration(state: CoordinatorState, task: TaskRecord): void {
  const key = durationKey(task.spec);
  const ms = task.result?.durationMs;
  if (key === undefined || ms === undefined || task.state !== 'succeeded') return;
  const before = state.durations.get(key);
  state.durations.set(key, before === undefined ? ms : before + NEWEST_WEIGHT * (ms - before));
}

/** How long the task is expected to run, from earlier runs of the same test; 0 if unknown. */
export function expectedDurationMs(state: CoordinatorState, task: TaskRecord): number {
  const key = durationKey(task.spec);
  return key === undefined ? 0 : (state.durations.get(key) ?? 0);
}
