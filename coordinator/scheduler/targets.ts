import { type Requirements, shorten, type TaskKind } from '../../protocol/index.js';
import {
  assignableSlots,
  type CoordinatorState,
  leaseCapacity,
  namedWorkers,
  slotsInUse,
  type WorkerRecord,
} from '../state/index.js';
import { heldBack } from './eligibility.js';
import { type RequirementCheck, requirementChecks } from './match.js';

/** Targets named one by one in an explanation; the rest are counted. */
const MAX_NAMED_TARGETS = 5;

/**
 * A worker a task names in `requirements.workers`: the worker when it could take the task, or
 * what keeps it from the task until the workers change (gone, unknown, a requirement unmet).
 */
type Target = { label: string } & ({ fit: WorkerRecord } | { unfit: string });

function targetsOf(
  workers: ReadonlyMap<string, WorkerRecord>,
  ids: readonly string[],
  checks: readonly RequirementCheck[],
): Target[] {
  return ids.map((id) => {
    const worker = workers.get(id);
    if (worker === undefined)
      return { label: shorten(id, { quoted: true }), unfit: 'is not registered' };
    const label = worker.name === id ? id : `${worker.name} (${id.slice(0, 8)})`;
    if (worker.status !== 'connected') return { label, unfit: `is ${worker.status}` };
    const unmet = checks.find((check) => !check.met(worker));
    return unmet === undefined ? { label, fit: worker } : { label, unfit: unmet.unmetBy };
  });
}

/**
 * What keeps a target from taking the task now, and whether that is more than a wait for a
 * slot; undefined when it has room.
 */
function holdOn(
  state: CoordinatorState,
  target: Target,
  requirements: Requirements,
): { reason: string; blocks: boolean } | undefined {
  if ('unfit' in target) return { reason: `${target.label} ${target.unfit}`, blocks: true };
  const { label, fit: worker } = target;
  const held = heldBack(state, worker);
  if (held !== undefined) return { reason: `${label} is held back (${held})`, blocks: true };
  const capacity = leaseCapacity(state, worker, requirements);
  const used = slotsInUse(state, worker);
  if (used + (requirements.slots ?? 1) <= capacity) return undefined;
  const slots = assignableSlots(state, worker);
  const waiting = capacity > slots ? `, ${capacity - slots} more waiting on it` : '';
  return {
    reason: `${label} is busy (${Math.min(slots, used)} of ${slots} slots taken${waiting})`,
    blocks: false,
  };
}

/** `of the workers it may run on, a is dead and b is draining`, five named at most. */
function describe(reasons: ReadonlyArray<string>): string {
  const named = reasons.slice(0, MAX_NAMED_TARGETS);
  const more = reasons.length - named.length;
  if (more > 0) named.push(`${more} more cannot take it either`);
  const last = named.pop()!;
  const list = named.length === 0 ? last : `${named.join(', ')} and ${last}`;
  return `of the workers it may run on, ${list}`;
}

/**
 * For a task that names its workers: why none of them can ever take it as the workers stand
 * (each gone, unknown, or lacking a requirement), or undefined when one of them could.
 */
export function unfitTargets(
  workers: ReadonlyMap<string, WorkerRecord>,
  kind: TaskKind,
  requirements: Requirements,
): string | undefined {
  const ids = namedWorkers(requirements);
  if (ids === undefined) return undefined;
  const targets = targetsOf(workers, ids, requirementChecks(kind, requirements));
  const reasons: string[] = [];
  for (const target of targets) {
    if ('fit' in target) return undefined;
    reasons.push(`${target.label} ${target.unfit}`);
  }
  return `unschedulable: ${describe(reasons)}`;
}

/**
 * For a placeable task that names its workers, one of which could take it: why it waits now,
 * when none has room and one of them is unfit or held back (draining, or by its health); each
 * is said with what keeps it, the busy ones too. Undefined when one has a free slot, or when
 * every one is merely busy: a wait for a slot, as any task has.
 */
export function waitingOnTargets(
  state: CoordinatorState,
  kind: TaskKind,
  requirements: Requirements,
): string | undefined {
  const ids = namedWorkers(requirements);
  if (ids === undefined) return undefined;
  const holds = [];
  for (const target of targetsOf(state.workers, ids, requirementChecks(kind, requirements))) {
    const hold = holdOn(state, target, requirements);
    if (hold === undefined) return undefined;
    holds.push(hold);
  }
  if (!holds.some((hold) => hold.blocks)) return undefined;
  return `waiting: ${describe(holds.map((hold) => hold.reason))}`;
}
