import { returned } from './events.js';
import type { Explanation, Model, Operation, UnplacedOperation } from './types.js';

/** How many operations of the prefix a message shows (its end, where it got stuck). */
const PREFIX_SHOWN = 8;

/**
 * Explains a violation from the longest linearizable prefix the search found: the state it
 * leads to, and the operations that could come next in real-time order (every operation not
 * in the prefix called before the first of those that returned returned), each marked as
 * rejected by the model in that state or as a dead end.
 */
export function explain<S, I, O>(
  model: Model<S, I, O>,
  operations: readonly Operation<I, O>[],
  partitionIndex: number,
  partitionCount: number,
  longestPrefix: readonly number[],
): Explanation<I, O> {
  const output = (op: Operation<I, O>) => (returned(op) ? op.output : undefined);
  let state = model.init();
  const inPrefix = new Set(longestPrefix);
  for (const k of longestPrefix) {
    state = model.step(state, operations[k]!.input, output(operations[k]!)).state;
  }
  const rest = operations.filter((_, k) => !inPrefix.has(k));
  const firstReturn = rest.reduce(
    (first, op) => (returned(op) ? Math.min(first, op.return!) : first),
    Infinity,
  );
  const unplaced: UnplacedOperation<I, O>[] = rest
    .filter((op) => op.call <= firstReturn)
    .sort((a, b) => a.call - b.call)
    .map((operation) => ({
      operation,
      reason: model.step(state, operation.input, output(operation)).ok ? 'dead-end' : 'rejected',
    }));

  const describeState = model.describeState ?? ((s: S) => JSON.stringify(s) ?? String(s));
  const stateAfterPrefix = describeState(state);
  const prefix = longestPrefix.map((k) => operations[k]!);
  const line = (op: Operation<I, O>) => `  ${describeOperation(model, op)}`;
  const shown = prefix.slice(-PREFIX_SHOWN);
  const message = [
    `not linearizable: partition ${partitionIndex + 1} of ${partitionCount} ` +
      `(${operations.length} operations)`,
    `longest linearizable prefix: ${prefix.length} of ${operations.length} operations` +
      (prefix.length > 0 ? ', ending' : ''),
    ...(prefix.length > shown.length
      ? [`  … ${prefix.length - shown.length} earlier operations`]
      : []),
    ...shown.map(line),
    `state after it: ${stateAfterPrefix}`,
    'no operation that could come next fits:',
    ...unplaced.map(
      ({ operation, reason }) =>
        `${line(operation)}: ${
          reason === 'rejected'
            ? 'not allowed in this state'
            : 'allowed, but nothing consistent follows'
        }`,
    ),
  ].join('\n');
  return {
    partitionIndex,
    operations,
    longestPrefix: prefix,
    stateAfterPrefix,
    unplaced,
    message,
  };
}

/** `client 3: put(x, 1) → ok [4, 9]`; an operation that never returned shows `[4, …]`. */
export function describeOperation<S, I, O>(
  model: Model<S, I, O>,
  operation: Operation<I, O>,
): string {
  const done = returned(operation);
  const output = done ? operation.output : undefined;
  const text = model.describe
    ? model.describe(operation.input, output)
    : `${JSON.stringify(operation.input)} → ${done ? JSON.stringify(output) : '?'}`;
  return `client ${operation.clientId}: ${text} [${operation.call}, ${done ? operation.return : '…'}]`;
}
