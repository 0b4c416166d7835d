import {
  type CoordinatorState,
  effectivePriority,
  groupPass,
  isLive,
  passAfterPlacing,
  type QueueEntry,
  type RequirementClass,
  type SchedulingPolicy,
} from '../state/index.js';

/** A queued task as the scheduler ranks it this round. */
export interface Candidate {
  entry: QueueEntry;
  cursor: GroupCursor;
  priority: number;
  pass: number;
}

/** A read position in one group queue: this round's placements move it, not the queue. */
interface GroupCursor {
  entries: QueueEntry[];
  index: number;
  group: string;
}

/**
 * Whether `a` goes before `b`: higher priority (aged), then earlier deadline, then the group
 * owed more by fair share, then the longer expected run, then earlier submission.
 */
export function ranksBefore(a: Candidate, b: Candidate): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  const deadlineA = a.entry.task.spec.deadline ?? Number.POSITIVE_INFINITY;
  const deadlineB = b.entry.task.spec.deadline ?? Number.POSITIVE_INFINITY;
  if (deadlineA !== deadlineB) return deadlineA < deadlineB;
  if (a.pass !== b.pass) return a.pass < b.pass;
  if (a.entry.expectedMs !== b.entry.expectedMs) return a.entry.expectedMs > b.entry.expectedMs;
  return a.entry.task.seq < b.entry.task.seq;
}

/**
 * This round's view of the fair-share clocks: starts from the state's and advances as the
 * round places tasks, exactly as applying the placements will advance the state's.
 */
export class RoundPasses {
  private readonly passes = new Map<string, number>();

  constructor(
    private readonly state: CoordinatorState,
    private readonly policy: SchedulingPolicy,
  ) {}

  of(group: string): number {
    return this.passes.get(group) ?? groupPass(this.state, group);
  }

  charge(group: string): void {
    this.passes.set(group, passAfterPlacing(this.of(group), group, this.policy));
  }
}

/** Walks one class's queued tasks best first, as placements are made during a round. */
export class ClassCursor {
  private readonly cursors: GroupCursor[] = [];

  constructor(
    readonly cls: RequirementClass,
    private readonly state: CoordinatorState,
    private readonly policy: SchedulingPolicy,
  ) {
    for (const level of cls.levels.values()) {
      for (const queue of level.groups.values()) {
        this.cursors.push({ entries: queue.entries, index: queue.head, group: queue.group });
      }
    }
  }

  /** The best task not yet placed this round, or undefined when none is left. */
  best(passes: RoundPasses): Candidate | undefined {
    let best: Candidate | undefined;
    for (const cursor of this.cursors) {
      const entry = liveAt(cursor);
      if (entry === undefined) continue;
      const { task } = entry;
      const candidate: Candidate = {
        entry,
        cursor,
        priority: effectivePriority(
          task.spec.priority,
          this.state.clock - task.submittedAt,
          this.policy,
        ),
        pass: passes.of(cursor.group),
      };
      if (best === undefined || ranksBefore(candidate, best)) best = candidate;
    }
    return best;
  }

  /** Moves past a candidate this cursor returned (placed, or given up on this round). */
  skip(candidate: Candidate): void {
    candidate.cursor.index++;
  }
}

function liveAt(cursor: GroupCursor): QueueEntry | undefined {
  while (cursor.index < cursor.entries.length) {
    const entry = cursor.entries[cursor.index]!;
    if (isLive(entry)) return entry;
    cursor.index++;
  }
  return undefined;
}
