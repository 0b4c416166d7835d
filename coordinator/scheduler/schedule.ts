import {
  assignableSlots,
  type CoordinatorState,
  leaseCapacity,
  type Placement,
  pinnedAlone,
  type SchedulingPolicy,
  schedulingPolicy,
  slotsInUse,
  slotsOf,
} from '../state/index.js';
import { type Candidate, ClassCursor, RoundPasses, ranksBefore } from './candidates.js';
import { takesNewTasks } from './eligibility.js';
import type { PlacementHooks } from './hooks.js';
import { matchingWorkers } from './matching-workers.js';
import { preemptions } from './preemption.js';

/** A class with queued tasks during a round, and the matching workers that had room. */
interface OpenClass {
  cursor: ClassCursor;
  workers: string[];
  /** Where the class's last small task went: the next small ones join it as a batch. */
  batchWorker?: string;
}

/**
 * Decides which queued tasks go to which workers now. The best task first (see `ranksBefore`:
 * priority with aging, deadline, fair share, longest first, submission order) among the tasks
 * some worker with a free slot can run, on the matching worker with the most free slots, or,
 * for small tasks, on the worker the previous small one went to. Tasks left without a slot
 * may preempt lower-priority running ones. Plugins' `hooks` rule workers out and rank them for
 * each task (a task they rule out everywhere waits). Reads the state; changes only match caches.
 */
export function schedule(state: CoordinatorState, hooks?: PlacementHooks): Placement[] {
  const policy = schedulingPolicy(state.config);
  const free = new Map<string, number>();
  for (const worker of state.workers.values()) {
    // The cheap test first: most workers of a busy coordinator are full.
    if (worker.running.size >= worker.slots || !takesNewTasks(state, worker)) continue;
    // One slot only while the worker's breaker is half-open: its probe (see `state/health.ts`).
    const slots = assignableSlots(state, worker) - slotsInUse(state, worker);
    if (slots > 0) free.set(worker.id, slots);
  }

  const passes = new RoundPasses(state, policy);
  const open: OpenClass[] = [];
  const blocked: ClassCursor[] = [];
  for (const cls of state.ready.classes.values()) {
    const cursor = new ClassCursor(cls, state, policy);
    const workers = matchingWorkers(state, cls).filter((id) => free.has(id));
    if (workers.length > 0) open.push({ cursor, workers });
    else blocked.push(cursor);
  }

  const placements: Placement[] = [];
  while (open.length > 0) {
    let bestIndex = -1;
    let best: Candidate | undefined;
    for (let i = open.length - 1; i >= 0; i--) {
      const candidate = open[i]!.cursor.best(passes);
      if (candidate === undefined) {
        open.splice(i, 1);
        if (bestIndex > i) bestIndex--;
        continue;
      }
      if (best === undefined || ranksBefore(candidate, best)) {
        best = candidate;
        bestIndex = i;
      }
    }
    if (best === undefined) break;
    const chosen = open[bestIndex]!;
    const workerId = pickWorker(state, chosen, best, free, policy, hooks);
    if (workerId === undefined) {
      open.splice(bestIndex, 1);
      blocked.push(chosen.cursor);
      continue;
    }
    if (workerId === RULED_OUT) {
      chosen.cursor.skip(best);
      continue;
    }
    placements.push({ taskId: best.entry.task.id, workerId });
    const left = free.get(workerId)! - slotsOf(best.entry.task);
    if (left === 0) free.delete(workerId);
    else free.set(workerId, left);
    passes.charge(best.cursor.group);
    chosen.cursor.skip(best);
  }
  placements.push(...waitingOnWorkers(state, blocked, passes, placements, hooks));
  if (policy.preemption) placements.push(...preemptions(state, blocked, passes, hooks));
  return placements;
}

/**
 * Tasks pinned to one worker alone that has no free slot but room for them to wait on it (see
 * `leaseCapacity`), best first, when the plugins' hooks allow it there: each starts there the
 * moment a slot frees.
 */
function waitingOnWorkers(
  state: CoordinatorState,
  blocked: readonly ClassCursor[],
  passes: RoundPasses,
  placed: readonly Placement[],
  hooks: PlacementHooks | undefined,
): Placement[] {
  const leases = new Map<string, number>();
  for (const { workerId } of placed) leases.set(workerId, (leases.get(workerId) ?? 0) + 1);
  const placements: Placement[] = [];
  for (const cursor of blocked) {
    const { requirements } = cursor.cls;
    // A task of several slots waits in the queue: a lease is one slot's worth of waiting.
    if ((requirements.slots ?? 1) > 1) continue;
    const [workerId] = matchingWorkers(state, cursor.cls);
    if (workerId === undefined || !pinnedAlone(requirements, workerId)) continue;
    const worker = state.workers.get(workerId)!;
    if (!takesNewTasks(state, worker)) continue;
    let held = slotsInUse(state, worker) + (leases.get(workerId) ?? 0);
    const capacity = leaseCapacity(state, worker, requirements);
    while (held < capacity) {
      const candidate = cursor.best(passes);
      if (candidate === undefined) break;
      cursor.skip(candidate);
      if (hooks !== undefined && !hooks.allows(candidate.entry.task, worker, 0)) continue;
      held++;
      placements.push({ taskId: candidate.entry.task.id, workerId });
      passes.charge(candidate.cursor.group);
    }
    leases.set(workerId, held);
  }
  return placements;
}

/** What `pickWorker` says when plugins ruled out every worker with room for the task. */
const RULED_OUT = Symbol('ruled out');

function pickWorker(
  state: CoordinatorState,
  open: OpenClass,
  candidate: Candidate,
  free: Map<string, number>,
  policy: SchedulingPolicy,
  hooks: PlacementHooks | undefined,
): string | typeof RULED_OUT | undefined {
  const { task } = candidate.entry;
  const expected = candidate.entry.expectedMs;
  const small = expected > 0 && expected < policy.smallTaskMs;
  const needs = slotsOf(task);
  const batch = open.batchWorker;
  const fits = (id: string) => (free.get(id) ?? 0) >= needs;
  const allowed = (id: string) =>
    hooks === undefined || hooks.allows(task, state.workers.get(id)!, free.get(id)!);
  if (small && batch !== undefined && fits(batch) && allowed(batch)) return batch;
  let workerId: string | undefined;
  if (hooks === undefined) {
    workerId = roomiest(elsewhere(candidate, open.workers, free), free, needs);
  } else {
    const roomy = open.workers.filter(fits);
    if (roomy.length === 0) return undefined;
    const choices = elsewhere(candidate, roomy.filter(allowed), free);
    if (choices.length === 0) return RULED_OUT;
    workerId = hooks.scores
      ? bestScored(choices, (id) => hooks.score(task, state.workers.get(id)!, free.get(id)!), free)
      : roomiest(choices, free, needs);
  }
  if (small) open.batchWorker = workerId;
  return workerId;
}

/** The choice scored highest, the one with the most free slots among equals. */
function bestScored(
  choices: readonly string[],
  score: (id: string) => number,
  free: Map<string, number>,
): string {
  let chosen = choices[0]!;
  let top = score(chosen);
  for (const id of choices.slice(1)) {
    const s = score(id);
    if (s > top || (s === top && free.get(id)! > free.get(chosen)!)) {
      chosen = id;
      top = s;
    }
  }
  return chosen;
}

/**
 * For a retry, the workers its earlier attempts did not run on, when one of them has room: a
 * second worker tells a broken worker from a broken task. Otherwise all of them.
 */
function elsewhere(candidate: Candidate, workers: string[], free: Map<string, number>): string[] {
  const { history } = candidate.entry.task;
  if (history.length === 0) return workers;
  const tried = new Set(history.map((attempt) => attempt.workerId));
  const untried = workers.filter((id) => !tried.has(id) && free.has(id));
  return untried.length > 0 ? untried : workers;
}

/** The candidate with the most free slots, `needs` at least. */
function roomiest(
  candidates: string[],
  free: Map<string, number>,
  needs: number,
): string | undefined {
  let chosen: string | undefined;
  let most = needs - 1;
  for (const id of candidates) {
    const slots = free.get(id) ?? 0;
    if (slots > most) {
      most = slots;
      chosen = id;
    }
  }
  return chosen;
}
