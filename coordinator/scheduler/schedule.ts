import type { CoordinatorState, Placement, RequirementClass, TaskRecord } from '../state/index.js';
import { takesNewTasks } from './eligibility.js';
import { satisfies } from './match.js';

/** Connected workers that satisfy the class; cached until the worker set changes. */
function matchingWorkers(state: CoordinatorState, cls: RequirementClass): string[] {
  if (cls.matchVersion !== state.workersVersion) {
    cls.matchingWorkers = [];
    for (const worker of state.workers.values()) {
      if (worker.status === 'connected' && satisfies(worker, cls.kind, cls.requirements)) {
        cls.matchingWorkers.push(worker.id);
      }
    }
    cls.matchVersion = state.workersVersion;
  }
  return cls.matchingWorkers;
}

interface Head {
  cls: RequirementClass;
  tasks: Iterator<TaskRecord>;
  task: TaskRecord;
  workers: string[];
}

function before(a: TaskRecord, b: TaskRecord): boolean {
  return a.spec.priority !== b.spec.priority ? a.spec.priority > b.spec.priority : a.seq < b.seq;
}

/**
 * Decides which queued tasks go to which workers now: the best task first (higher priority,
 * then earlier submission) among the tasks some worker with a free slot can run, each on the
 * matching worker with the most free slots. Reads the state; changes only match caches.
 */
export function schedule(state: CoordinatorState): Placement[] {
  const free = new Map<string, number>();
  for (const worker of state.workers.values()) {
    const slots = worker.slots - worker.running.size;
    if (slots > 0 && takesNewTasks(state, worker)) free.set(worker.id, slots);
  }
  if (free.size === 0) return [];

  const heads: Head[] = [];
  for (const cls of state.ready.classes.values()) {
    const workers = matchingWorkers(state, cls).filter((id) => free.has(id));
    if (workers.length === 0) continue;
    const tasks = cls.ordered();
    const first = tasks.next();
    if (!first.done) heads.push({ cls, tasks, task: first.value, workers });
  }

  const placements: Placement[] = [];
  while (heads.length > 0) {
    let best = 0;
    for (let i = 1; i < heads.length; i++) if (before(heads[i]!.task, heads[best]!.task)) best = i;
    const head = heads[best]!;
    const workerId = roomiest(head.workers, free);
    if (workerId === undefined) {
      heads.splice(best, 1);
      continue;
    }
    placements.push({ taskId: head.task.id, workerId });
    const left = free.get(workerId)! - 1;
    if (left === 0) free.delete(workerId);
    else free.set(workerId, left);
    const next = head.tasks.next();
    if (next.done) heads.splice(best, 1);
    else head.task = next.value;
  }
  return placements;
}

function roomiest(candidates: string[], free: Map<string, number>): string | undefined {
  let chosen: string | undefined;
  let most = 0;
  for (const id of candidates) {
    const slots = free.get(id) ?? 0;
    if (slots > most) {
      most = slots;
      chosen = id;
    }
  }
  return chosen;
}
