import type { TaskSpec } from '../../protocol/index.js';
import type { StateEvent } from './events.js';
import { submittedSpec } from './retarget.js';
import type { CoordinatorState } from './types.js';

interface NewTask {
  id: string;
  spec: TaskSpec;
}

/** A submit's tasks sorted by their idempotency keys, or the refusal of the whole submit. */
export type KeyedSubmit =
  | { refused: Extract<StateEvent, { type: 'SubmitRefused' }> }
  | { fresh: NewTask[]; repeats: Array<{ requestedId: string; existingId: string }> };

/**
 * Sorts a submit's tasks into new ones and repeats of a task submitted before under the same
 * idempotency key (in an earlier submit or earlier in this one). A key stands for one task: a
 * repeat with another spec refuses the whole submit. A `dependsOn` entry naming a repeat in
 * this submit means the task it repeats, both when the specs are compared and in new tasks.
 */
export function sortByIdempotencyKey(
  state: CoordinatorState,
  tasks: readonly NewTask[],
): KeyedSubmit {
  const firstInSubmit = new Map<string, string>();
  const repeatOf = new Map<string, string>();
  for (const { id, spec } of tasks) {
    const key = spec.idempotencyKey;
    if (key === undefined) continue;
    const first = state.byIdempotencyKey.get(key) ?? firstInSubmit.get(key);
    if (first === undefined) firstInSubmit.set(key, id);
    else repeatOf.set(id, first);
  }
  if (repeatOf.size === 0) return { fresh: [...tasks], repeats: [] };

  const specs = new Map(tasks.map(({ id, spec }) => [id, withRepeatsResolved(spec, repeatOf)]));
  const fresh: NewTask[] = [];
  const repeats: Array<{ requestedId: string; existingId: string }> = [];
  for (const [index, { id, spec }] of tasks.entries()) {
    const existingId = repeatOf.get(id);
    if (existingId === undefined) {
      fresh.push({ id, spec: specs.get(id)! });
      continue;
    }
    const first = state.tasks.get(existingId);
    const firstSpec = first === undefined ? specs.get(existingId) : submittedSpec(first);
    if (!sameJson(firstSpec, specs.get(id))) {
      return { refused: { type: 'SubmitRefused', key: spec.idempotencyKey!, index, existingId } };
    }
    repeats.push({ requestedId: id, existingId });
  }
  return { fresh, repeats };
}

function withRepeatsResolved(spec: TaskSpec, repeatOf: ReadonlyMap<string, string>): TaskSpec {
  if (spec.dependsOn === undefined) return spec;
  const parents = spec.dependsOn.map((id) => repeatOf.get(id) ?? id);
  // A shard-stage task's inputs name their parents by position in `dependsOn`: each stays.
  const kept = spec.kind === 'shard-stage' ? parents : [...new Set(parents)];
  return { ...spec, dependsOn: kept };
}

/** Equal as JSON: the same values, objects' keys in any order, an undefined field as absent. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightCount = Object.keys(right).filter((key) => right[key] !== undefined).length;
  return keys.length === rightCount && keys.every((key) => sameJson(left[key], right[key]));
}
