import type { History } from './types.js';

/**
 * A `partition` for a model whose operations on different keys are independent: one
 * sub-history per key, in the order the keys first appear, operations in their given order.
 */
export function partitionBy<I, O>(
  keyOf: (input: I) => string | number,
): (history: History<I, O>) => History<I, O>[] {
  return (history) => {
    const byKey = new Map<string | number, History<I, O>[number][]>();
    for (const operation of history) {
      const key = keyOf(operation.input);
      const part = byKey.get(key);
      if (part) part.push(operation);
      else byKey.set(key, [operation]);
    }
    return [...byKey.values()];
  };
}
