import type { Requirements, TaskKind, TaskSpec } from '../../protocol/index.js';
import { shareGroup } from './fair-share.js';
import type { TaskRecord } from './types.js';

export interface QueueEntry {
  task: TaskRecord;
  epoch: number;
  /** Expected run time when queued (0 if unknown): longer ones go first. */
  expectedMs: number;
}

/**
 * The order of tasks of one priority and group: earliest deadline first, then longest
 * expected run first (LPT packing shortens the makespan), then submission order.
 */
export function queueOrder(a: QueueEntry, b: QueueEntry): number {
  const deadlineA = a.task.spec.deadline ?? Number.POSITIVE_INFINITY;
  const deadlineB = b.task.spec.deadline ?? Number.POSITIVE_INFINITY;
  if (deadlineA !== deadlineB) return deadlineA < deadlineB ? -1 : 1;
  if (a.expectedMs !== b.expectedMs) return b.expectedMs - a.expectedMs;
  return a.task.seq - b.task.seq;
}

export function isLive(entry: QueueEntry): boolean {
  return entry.task.state === 'queued' && entry.task.queueEpoch === entry.epoch;
}

/** Queued tasks of one priority and one fair-share group, in `queueOrder`; removal is lazy. */
export class GroupQueue {
  entries: QueueEntry[] = [];
  head = 0;

  constructor(readonly group: string) {}

  insert(entry: QueueEntry): void {
    const { entries } = this;
    const last = entries[entries.length - 1];
    if (last === undefined || queueOrder(last, entry) < 0) {
      entries.push(entry);
      return;
    }
    // Out of order (a deadline, a long test, a requeued task): binary search for its place.
    let lo = this.head;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queueOrder(entries[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    entries.splice(lo, 0, entry);
  }

  /** Drops stale entries at the head and reclaims the space they used. */
  compact(): void {
    while (this.head < this.entries.length && !isLive(this.entries[this.head]!)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  get empty(): boolean {
    return this.head >= this.entries.length;
  }
}

/** Queued tasks of one priority within a class, by fair-share group. */
export class PriorityLevel {
  readonly groups = new Map<string, GroupQueue>();

  constructor(readonly priority: number) {}

  insert(entry: QueueEntry): void {
    const group = shareGroup(entry.task.spec.group);
    let queue = this.groups.get(group);
    if (queue === undefined) {
      queue = new GroupQueue(group);
      this.groups.set(group, queue);
    }
    queue.insert(entry);
  }

  /** Called after one of the group's tasks left the queue. */
  removed(group: string): void {
    const queue = this.groups.get(group);
    if (queue === undefined) return;
    queue.compact();
    if (queue.empty) this.groups.delete(group);
  }

  get empty(): boolean {
    return this.groups.size === 0;
  }
}

/**
 * Tasks that share a kind and requirements: any worker that can run one can run all of
 * them, so the scheduler matches workers once per class instead of once per task.
 */
export class RequirementClass {
  readonly levels = new Map<number, PriorityLevel>();
  /** Priorities present, highest first. */
  priorities: number[] = [];
  queued = 0;
  /** Worker ids that satisfy the class, valid while `matchVersion` equals the state's. */
  matchingWorkers: string[] = [];
  matchVersion = -1;

  constructor(
    readonly key: string,
    readonly kind: TaskKind,
    readonly requirements: Requirements,
  ) {}

  add(task: TaskRecord, expectedMs: number): void {
    let level = this.levels.get(task.spec.priority);
    if (level === undefined) {
      level = new PriorityLevel(task.spec.priority);
      this.levels.set(task.spec.priority, level);
      this.priorities.push(task.spec.priority);
      this.priorities.sort((a, b) => b - a);
    }
    level.insert({ task, epoch: task.queueEpoch, expectedMs });
    this.queued++;
  }

  /** Called after one of this class's tasks left the queued state. */
  removed(task: TaskRecord): void {
    this.queued--;
    const { priority } = task.spec;
    const level = this.levels.get(priority);
    if (level === undefined) return;
    level.removed(shareGroup(task.spec.group));
    if (level.empty) {
      this.levels.delete(priority);
      this.priorities = this.priorities.filter((p) => p !== priority);
    }
  }
}

const classKeys = new WeakMap<TaskSpec, string>();

/**
 * The class key of a task's spec, computed once per spec object: a spec object never changes
 * (a retarget gives the task a new one).
 */
export function classKeyOf(spec: TaskSpec): string {
  let key = classKeys.get(spec);
  if (key === undefined) {
    key = requirementClassKey(spec.kind, spec.requirements);
    classKeys.set(spec, key);
  }
  return key;
}

/**
 * The ids `requirements.workers` names, each once, in id order (tasks that name the same workers
 * in another order share a class and are matched alike); undefined when it names none.
 */
export function namedWorkers(requirements: Requirements): string[] | undefined {
  return requirements.workers === undefined ? undefined : [...new Set(requirements.workers)].sort();
}

export function requirementClassKey(kind: TaskKind, requirements: Requirements): string {
  const labels = requirements.labels ?? {};
  return JSON.stringify([
    kind,
    namedWorkers(requirements) ?? null,
    requirements.workerKind ?? null,
    requirements.browser ?? null,
    requirements.minMemoryMb ?? 0,
    requirements.slots ?? 1,
    [...(requirements.features ?? [])].sort(),
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  ]);
}

/** The index of placeable tasks by requirement class, priority and fair-share group. */
export class ReadyQueue {
  readonly classes = new Map<string, RequirementClass>();

  add(task: TaskRecord, expectedMs: number): void {
    task.placeable = true;
    const key = classKeyOf(task.spec);
    let cls = this.classes.get(key);
    if (cls === undefined) {
      cls = new RequirementClass(key, task.spec.kind, task.spec.requirements);
      this.classes.set(key, cls);
    }
    cls.add(task, expectedMs);
  }

  /** Takes a task out of the queue (assigned, cancelled); nothing if it is not in it. */
  remove(task: TaskRecord): void {
    if (!task.placeable) return;
    task.placeable = false;
    const cls = this.classes.get(classKeyOf(task.spec));
    if (cls === undefined) return;
    cls.removed(task);
    if (cls.queued === 0) this.classes.delete(cls.key);
  }

  /**
   * Every placeable task's entry, class by class, priority level by level, group by group, each
   * group in queue order. Adding them in this order to an empty queue rebuilds this one.
   */
  *liveEntries(): Generator<QueueEntry> {
    for (const cls of this.classes.values()) {
      for (const level of cls.levels.values()) {
        for (const queue of level.groups.values()) {
          for (let i = queue.head; i < queue.entries.length; i++) {
            const entry = queue.entries[i]!;
            if (isLive(entry)) yield entry;
          }
        }
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const cls of this.classes.values()) n += cls.queued;
    return n;
  }
}
