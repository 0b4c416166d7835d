import type { Requirements, TaskKind, TaskSpec } from '../../protocol/index.js';
import type { TaskRecord } from './types.js';

interface Entry {
  task: TaskRecord;
  epoch: number;
}

/** Queued tasks of one priority within a class, in submission order; removal is lazy. */
class PriorityLevel {
  entries: Entry[] = [];
  head = 0;

  insert(entry: Entry): void {
    const { entries } = this;
    const last = entries[entries.length - 1];
    if (last === undefined || last.task.seq < entry.task.seq) {
      entries.push(entry);
      return;
    }
    // A requeued task goes back to its submission position, not to the back of the line.
    let lo = this.head;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entries[mid]!.task.seq < entry.task.seq) lo = mid + 1;
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

function isLive(entry: Entry): boolean {
  return entry.task.state === 'queued' && entry.task.queueEpoch === entry.epoch;
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

  add(task: TaskRecord): void {
    let level = this.levels.get(task.spec.priority);
    if (level === undefined) {
      level = new PriorityLevel();
      this.levels.set(task.spec.priority, level);
      this.priorities.push(task.spec.priority);
      this.priorities.sort((a, b) => b - a);
    }
    level.insert({ task, epoch: task.queueEpoch });
    this.queued++;
  }

  /** Queued tasks, best first: higher priority, then earlier submission. */
  *ordered(): Generator<TaskRecord> {
    for (const priority of this.priorities) {
      const level = this.levels.get(priority)!;
      for (let i = level.head; i < level.entries.length; i++) {
        const entry = level.entries[i]!;
        if (isLive(entry)) yield entry.task;
      }
    }
  }

  /** Called after `count` of this class's tasks left the queued state. */
  removed(count: number, priority: number): void {
    this.queued -= count;
    const level = this.levels.get(priority);
    if (level === undefined) return;
    level.compact();
    if (level.empty) {
      this.levels.delete(priority);
      this.priorities = this.priorities.filter((p) => p !== priority);
    }
  }
}

const classKeys = new WeakMap<TaskSpec, string>();

/** The class key of a task's spec, computed once per spec object (specs never change). */
function classKeyOf(spec: TaskSpec): string {
  let key = classKeys.get(spec);
  if (key === undefined) {
    key = requirementClassKey(spec.kind, spec.requirements);
    classKeys.set(spec, key);
  }
  return key;
}

export function requirementClassKey(kind: TaskKind, requirements: Requirements): string {
  const labels = requirements.labels ?? {};
  return JSON.stringify([
    kind,
    requirements.workerKind ?? null,
    requirements.browser ?? null,
    requirements.minMemoryMb ?? 0,
    [...(requirements.features ?? [])].sort(),
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  ]);
}

/** The index of queued tasks by requirement class. */
export class ReadyQueue {
  readonly classes = new Map<string, RequirementClass>();

  add(task: TaskRecord): void {
    task.placeable = true;
    const key = classKeyOf(task.spec);
    let cls = this.classes.get(key);
    if (cls === undefined) {
      cls = new RequirementClass(key, task.spec.kind, task.spec.requirements);
      this.classes.set(key, cls);
    }
    cls.add(task);
  }

  /** Takes a task out of the queue (assigned, cancelled); nothing if it is not in it. */
  remove(task: TaskRecord): void {
    if (!task.placeable) return;
    task.placeable = false;
    const cls = this.classes.get(classKeyOf(task.spec));
    if (cls === undefined) return;
    cls.removed(1, task.spec.priority);
    if (cls.queued === 0) this.classes.delete(cls.key);
  }

  classOf(task: TaskRecord): RequirementClass | undefined {
    return this.classes.get(classKeyOf(task.spec));
  }

  get size(): number {
    let n = 0;
    for (const cls of this.classes.values()) n += cls.queued;
    return n;
  }
}
