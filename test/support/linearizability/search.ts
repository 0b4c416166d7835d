import { Bitset } from './bitset.js';
import { ConfigurationCache } from './cache.js';
import { EventList, returned } from './events.js';
import type { Operation, StepResult } from './types.js';

/** The step budget shared by all partitions of one check. */
export interface Budget {
  steps: number;
  readonly maxSteps: number;
  readonly deadline: number;
  readonly now: () => number;
}

/** The parts of a model the search needs, with defaults filled in. */
export interface SearchModel<S, I, O> {
  init(): S;
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  readOnly?: ((input: I, output: O | undefined) => boolean) | undefined;
}

export type SearchOutcome =
  | { readonly kind: 'linearizable' }
  /** `longestPrefix`: indexes of the operations of a longest linearizable prefix, in order. */
  | { readonly kind: 'violation'; readonly longestPrefix: readonly number[] }
  | { readonly kind: 'unknown'; readonly reason: string };

/** How often (in steps) the wall clock is looked at. */
const CLOCK_EVERY = 4096;

/**
 * Wing & Gong's search with Lowe's improvements, as porcupine does it, plus a few prunings.
 *
 * From a configuration (operations linearized so far, model state), the candidates to
 * linearize next are the operations not yet linearized that were called before the first of
 * them that returned returned. Walk the main list: at a call entry, try that operation (model
 * step, then the configuration cache) and on success descend and start over; at the first
 * return entry the candidates that returned are exhausted, so try the optional ones (those
 * that never returned) called by then; when those are exhausted too, undo the last choice and
 * go on with the candidate after it. The search succeeds once every operation that returned
 * is linearized.
 *
 * - Candidates are tried in three passes: reads (operations the model says leave every state
 *   unchanged), then the others that returned, then the optional ones. Trying optional
 *   operations last means a history is usually linearized without them; the cache then prunes
 *   configurations that differ only by optional operations done (see ConfigurationCache).
 * - A read that fits is committed to: if nothing linearizes after it, nothing linearizes from
 *   its configuration at all (it could be moved to the front of any linearization from
 *   there), so the search backtracks past that configuration without trying its other
 *   candidates. This is what keeps read-heavy histories with many concurrent clients cheap.
 * - An optional operation that the model accepts without changing the state is never
 *   linearized: leaving it out is the same.
 */
export function searchPartition<S, I, O>(
  model: SearchModel<S, I, O>,
  operations: readonly Operation<I, O>[],
  budget: Budget,
): SearchOutcome {
  // Renumbered: the operations that returned first, then the optional ones.
  const order: number[] = [];
  for (const [k, op] of operations.entries()) if (returned(op)) order.push(k);
  for (const [k, op] of operations.entries()) if (!returned(op)) order.push(k);
  const ops = order.map((k) => operations[k]!);
  const n = ops.length;
  const c = ops.filter(returned).length;
  const events = new EventList(ops, c);
  const next = events.next;
  const callTime = Float64Array.from(ops, (op) => op.call);
  const returnTime = Float64Array.from(ops, (op) => op.return ?? Infinity);
  const inputs = ops.map((op) => op.input);
  const outputs = ops.map((op, k) => (k < c ? op.output : undefined));
  const readOnly = model.readOnly;
  const pass = Uint8Array.from(ops, (op, k) =>
    k >= c ? OPTIONAL : readOnly?.(op.input, op.output) ? READS : OTHERS,
  );

  const done = new Bitset(c);
  const optional = new Bitset(n - c);
  const cache = new ConfigurationCache<S>(
    model.hash,
    model.equal,
    done.words.length,
    optional.words.length,
  );
  const chosen = new Int32Array(n);
  const statesBefore: S[] = new Array<S>(n);
  const configurations = new Int32Array(n);
  const passes = new Uint8Array(n);
  const limits = new Float64Array(n);
  const committed = new Uint8Array(n);
  let depth = 0;
  const best = new Int32Array(n);
  let bestDepth = 0;

  let state = model.init();
  let remaining = c;
  let current: number = readOnly ? READS : OTHERS;
  /** The time of the first return entry still in the main list (for the optional pass). */
  let limit = 0;
  let entry = next[events.mainHead]!;
  while (remaining > 0) {
    let exhausted = false;
    if (current !== OPTIONAL) {
      if (entry === EventList.NIL || !events.isCall(entry)) {
        if (current === READS) {
          current = OTHERS;
          entry = next[events.mainHead]!;
        } else {
          limit = entry === EventList.NIL ? Infinity : returnTime[entry - n]!;
          current = OPTIONAL;
          entry = next[events.optionalHead]!;
        }
        continue;
      }
      if (pass[entry] !== current) {
        entry = next[entry]!;
        continue;
      }
    } else if (entry === EventList.NIL || callTime[entry]! > limit) {
      exhausted = true;
    }

    if (!exhausted) {
      const k = entry;
      if (++budget.steps > budget.maxSteps) {
        return { kind: 'unknown', reason: `gave up after ${budget.maxSteps} model steps` };
      }
      if (budget.steps % CLOCK_EVERY === 0 && budget.now() > budget.deadline) {
        return { kind: 'unknown', reason: 'ran out of time' };
      }
      const result = model.step(state, inputs[k]!, outputs[k]);
      if (!result.ok) {
        entry = next[k]!;
        continue;
      }
      if (k >= c && (result.state === state || model.equal(result.state, state))) {
        // An optional operation that changes nothing may as well be left out.
        entry = next[k]!;
        continue;
      }
      const commit = current === READS;
      if (k < c) done.set(k);
      else optional.set(k - c);
      const id = cache.visit(done, optional, result.state);
      if (id >= 0) {
        chosen[depth] = k;
        statesBefore[depth] = state;
        configurations[depth] = id;
        passes[depth] = current;
        limits[depth] = limit;
        committed[depth] = commit ? 1 : 0;
        depth++;
        if (depth > bestDepth) {
          best.set(chosen.subarray(0, depth));
          bestDepth = depth;
        }
        state = result.state;
        events.lift(k);
        if (k < c) remaining--;
        current = readOnly ? READS : OTHERS;
        entry = next[events.mainHead]!;
        continue;
      }
      if (k < c) done.clear(k);
      else optional.clear(k - c);
      if (!commit) {
        entry = next[k]!;
        continue;
      }
      // Seen before, so it fails; and as it is a read, this configuration fails too.
    }

    // This configuration fails: undo the choice that led to it (and past committed ones).
    let undone: number;
    do {
      if (depth === 0) {
        return {
          kind: 'violation',
          longestPrefix: Array.from(best.subarray(0, bestDepth), (k) => order[k]!),
        };
      }
      depth--;
      undone = chosen[depth]!;
      state = statesBefore[depth]!;
      cache.leave(configurations[depth]!);
      events.unlift(undone);
      if (undone < c) {
        done.clear(undone);
        remaining++;
      } else {
        optional.clear(undone - c);
      }
    } while (committed[depth] === 1);
    current = passes[depth]!;
    limit = limits[depth]!;
    entry = next[undone]!;
  }
  return { kind: 'linearizable' };
}

const READS = 0;
const OTHERS = 1;
const OPTIONAL = 2;
