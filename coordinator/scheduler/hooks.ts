import type { Logger } from 'pino';
import type { TaskRecord, WorkerRecord } from '../state/index.js';
import type { SchedulerHooks, SchedulingTask, SchedulingWorker } from './hook-types.js';

/** Hooks as the scheduler calls them: every plugin's at once, never throwing. */
export interface PlacementHooks {
  allows(task: TaskRecord, worker: WorkerRecord, freeSlots: number): boolean;
  score(task: TaskRecord, worker: WorkerRecord, freeSlots: number): number;
  /** Whether any plugin scores: without, the scheduler's own choice stands. */
  readonly scores: boolean;
}

export interface NamedSchedulerHooks {
  /** The plugin's name, for the log. */
  plugin: string;
  hooks: SchedulerHooks;
}

const taskView = (task: TaskRecord): SchedulingTask => ({
  id: task.id,
  spec: task.spec,
  attempt: task.attempt,
});

function workerView(worker: WorkerRecord, freeSlots: number): SchedulingWorker {
  const { id, name, labels, capabilities, slots } = worker;
  return { id, name, labels, capabilities, slots, freeSlots };
}

/** How often one plugin's failing hook is logged at most. */
const LOG_EVERY_MS = 60_000;

/**
 * The plugins' hooks as one: a worker is allowed when every filter allows it, and its score is
 * the sum of the scores (a score that is not a finite number counts 0). Undefined when no
 * plugin has a scheduler hook, so the scheduler does no work for them.
 */
export function placementHooks(
  plugins: readonly NamedSchedulerHooks[],
  logger: Logger,
): PlacementHooks | undefined {
  const filters = plugins.filter((p) => p.hooks.filter !== undefined);
  const scorers = plugins.filter((p) => p.hooks.score !== undefined);
  if (filters.length === 0 && scorers.length === 0) return undefined;
  const loggedAt = new Map<string, number>();
  const failed = (plugin: string, hook: string, error: unknown) => {
    const now = Date.now();
    if (now - (loggedAt.get(plugin) ?? -LOG_EVERY_MS) < LOG_EVERY_MS) return;
    loggedAt.set(plugin, now);
    logger.warn({ err: error, plugin }, `plugin ${plugin}: its scheduler ${hook} threw; ignored`);
  };
  return {
    scores: scorers.length > 0,
    allows(task, worker, freeSlots) {
      const t = taskView(task);
      const w = workerView(worker, freeSlots);
      return filters.every(({ plugin, hooks }) => {
        try {
          return hooks.filter!(t, w) !== false;
        } catch (error) {
          failed(plugin, 'filter', error);
          return true;
        }
      });
    },
    score(task, worker, freeSlots) {
      const t = taskView(task);
      const w = workerView(worker, freeSlots);
      let total = 0;
      for (const { plugin, hooks } of scorers) {
        try {
          const score = hooks.score!(t, w);
          if (Number.isFinite(score)) total += score;
        } catch (error) {
          failed(plugin, 'score', error);
        }
      }
      return total;
    },
  };
}
