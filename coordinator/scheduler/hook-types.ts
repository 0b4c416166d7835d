import type { Capabilities, Labels, TaskSpec } from '../../protocol/index.js';

/** A queued task as a scheduler hook sees it. */
export interface SchedulingTask {
  readonly id: string;
  readonly spec: Readonly<TaskSpec>;
  /** Attempts so far: 0 before its first. */
  readonly attempt: number;
}

/** A worker with room for the task, as a scheduler hook sees it. */
export interface SchedulingWorker {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Labels>;
  readonly capabilities: Readonly<Capabilities>;
  readonly slots: number;
  /** Slots free this round, before this task. */
  readonly freeSlots: number;
}

/**
 * A plugin's say in where tasks go, among the workers that meet a task's requirements and have
 * room: `filter` rules a worker out (the task waits when it rules out all), `score` ranks the
 * rest (highest first; ties go to the most free slots). Both run on the coordinator's event
 * loop for each task and worker a round considers, so they must be quick and pure; in a
 * cluster the leader's decide. One that throws counts as saying nothing (and is logged).
 */
export interface SchedulerHooks {
  filter?(task: SchedulingTask, worker: SchedulingWorker): boolean;
  score?(task: SchedulingTask, worker: SchedulingWorker): number;
}
