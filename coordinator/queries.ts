import { type TaskState, type TaskView, WorkerStatus, zeroCounts } from '../protocol/index.js';
import {
  explainUnschedulable,
  heldBack,
  matchingWorkers,
  unfitTargets,
  waitingOnTargets,
} from './scheduler/index.js';
import {
  type CoordinatorState,
  classKeyOf,
  type RequirementClass,
  type TaskRecord,
  taskView,
} from './state/index.js';

export interface TaskFilter {
  taskIds?: string[] | undefined;
  group?: string | undefined;
  state?: TaskState | undefined;
  afterSeq?: number | undefined;
  limit: number;
}

/** Answers "why is this queued task not running?", once per requirement class and worker set. */
export class UnschedulableExplainer {
  private cache = new Map<string, string | undefined>();
  private version = -1;

  constructor(private readonly state: CoordinatorState) {}

  /** The state was replaced as a whole (a cluster member installed a snapshot). */
  reset(): void {
    this.cache.clear();
    this.version = -1;
  }

  explain(task: TaskRecord): string | undefined {
    if (task.state !== 'queued') return undefined;
    if (this.version !== this.state.workersVersion) {
      this.cache.clear();
      this.version = this.state.workersVersion;
    }
    // By the spec's class, not the task: a retarget gives the task another class.
    const key = classKeyOf(task.spec);
    const cls = this.state.ready.classes.get(key);
    const { kind, requirements } = task.spec;
    const pinned = requirements.workers !== undefined;
    if (!this.cache.has(key)) {
      const reason = pinned
        ? unfitTargets(this.state.workers, kind, requirements)
        : explainUnschedulable(this.state.workers.values(), kind, requirements);
      this.cache.set(key, reason);
    }
    const unmet = this.cache.get(key);
    if (unmet !== undefined || cls === undefined || !task.placeable) return unmet;
    return pinned ? waitingOnTargets(this.state, kind, requirements) : this.heldBack(cls);
  }

  /**
   * When every worker that could run the class is held back (draining, or by its health), why;
   * asked afresh each time, since health changes with the clock alone.
   */
  private heldBack(cls: RequirementClass): string | undefined {
    const reasons: string[] = [];
    for (const workerId of matchingWorkers(this.state, cls)) {
      const worker = this.state.workers.get(workerId)!;
      const reason = heldBack(this.state, worker);
      if (reason === undefined) return undefined;
      reasons.push(`${worker.name}: ${reason}`);
    }
    if (reasons.length === 0) return undefined;
    return `waiting: every worker that could run it is held back (${reasons.join('; ')})`;
  }
}

export function describeTask(
  state: CoordinatorState,
  explainer: UnschedulableExplainer,
  id: string,
  now: number,
): TaskView | undefined {
  const task = state.tasks.get(id);
  return task === undefined ? undefined : taskView(task, now, explainer.explain(task));
}

/** Tasks matching the filter, in submission order. */
export function listTasks(
  state: CoordinatorState,
  explainer: UnschedulableExplainer,
  filter: TaskFilter,
  now: number,
): TaskView[] {
  let candidates: Iterable<TaskRecord>;
  if (filter.taskIds !== undefined) {
    candidates = filter.taskIds.flatMap((id) => state.tasks.get(id) ?? []);
  } else if (filter.group !== undefined) {
    candidates = state.byGroup.get(filter.group) ?? [];
  } else {
    candidates = state.tasks.values();
  }
  const out: TaskView[] = [];
  for (const task of candidates) {
    if (filter.state !== undefined && task.state !== filter.state) continue;
    if (filter.afterSeq !== undefined && task.seq <= filter.afterSeq) continue;
    if (filter.group !== undefined && task.spec.group !== filter.group) continue;
    out.push(taskView(task, now, explainer.explain(task)));
    if (out.length >= filter.limit) break;
  }
  return out;
}

export function countTasksByState(state: CoordinatorState): Record<TaskState, number> {
  return { ...state.taskCounts };
}

export function countWorkersByStatus(state: CoordinatorState): Record<WorkerStatus, number> {
  const counts = zeroCounts(WorkerStatus.options);
  for (const worker of state.workers.values()) counts[worker.status]++;
  return counts;
}
