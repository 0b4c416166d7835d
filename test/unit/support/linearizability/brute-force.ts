import type { History, Model } from '../../../support/linearizability/index.js';

/**
 * The definition, by exhaustive search: is there an order of a subset of the operations that
 * contains every operation that returned, puts an operation before another whenever it
 * returned strictly before the other was called, and that the model accepts? Only failures
 * of exact (operations placed, state) pairs are remembered, none of the checker's other
 * shortcuts: an oracle for histories of up to a few dozen operations.
 */
export function bruteForceLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: History<I, O>,
): boolean {
  const n = history.length;
  if (n > 52) throw new RangeError('too many operations for brute force');
  const done = history.map((op) => op.return !== undefined && Number.isFinite(op.return));
  const failed = new Set<string>();
  const search = (placed: number, state: S, remaining: number): boolean => {
    if (remaining === 0) return true;
    const key = `${placed}:${JSON.stringify(state)}`;
    if (failed.has(key)) return false;
    for (let k = 0; k < n; k++) {
      if (isSet(placed, k)) continue;
      const op = history[k]!;
      // Every unplaced operation that returned before this one was called must come first.
      const blocked = history.some(
        (other, j) => j !== k && !isSet(placed, j) && done[j] && other.return! < op.call,
      );
      if (blocked) continue;
      const result = model.step(state, op.input, done[k] ? op.output : undefined);
      if (!result.ok) continue;
      if (search(placed + 2 ** k, result.state, remaining - (done[k] ? 1 : 0))) return true;
    }
    failed.add(key);
    return false;
  };
  return search(0, model.init(), done.filter(Boolean).length);
}

function isSet(mask: number, bit: number): boolean {
  return Math.floor(mask / 2 ** bit) % 2 === 1;
}
