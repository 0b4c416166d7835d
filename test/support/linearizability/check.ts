import { returned } from './events.js';
import { explain } from './explain.js';
import { deepEqual, defaultHash, toHash32 } from './hash.js';
import { type Budget, type SearchModel, searchPartition } from './search.js';
import type { CheckOptions, CheckResult, History, Model, Operation } from './types.js';

const DEFAULT_MAX_STEPS = 20_000_000;

/**
 * Decides whether `history` is linearizable with respect to `model`: whether there is one
 * total order of its operations that respects real time (an operation that returned before
 * another was called comes first) and that the model accepts step by step, every returned
 * operation with the output it gave. Operations that never returned may be left out.
 *
 * The model's partitions are checked one by one (P-compositionality); the first violation
 * found is explained. Gives `unknown` when the step budget or time runs out.
 */
export function checkLinearizability<S, I, O>(
  model: Model<S, I, O>,
  history: History<I, O>,
  options: CheckOptions = {},
): CheckResult<I, O> {
  for (const operation of history) validate(operation);
  const partitions = model.partition ? model.partition(history) : [history];
  const now = options.now ?? (() => performance.now());
  const budget: Budget = {
    steps: 0,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    deadline: options.timeoutMs === undefined ? Infinity : now() + options.timeoutMs,
    now,
  };
  const readOnly = model.readOnly;
  const hash = model.hash;
  const search: SearchModel<S, I, O> = {
    init: () => model.init(),
    step: (state, input, output) => model.step(state, input, output),
    hash: hash ? (state) => toHash32(hash(state)) : defaultHash,
    equal: model.equal ?? deepEqual,
    readOnly,
  };
  let operations = 0;
  const stats = () => ({ partitions: partitions.length, operations, steps: budget.steps });
  for (const [index, partition] of partitions.entries()) {
    // A read that never returned constrains nothing: it may always be left out.
    const checked = readOnly
      ? partition.filter((op) => returned(op) || !readOnly(op.input, undefined))
      : partition;
    operations += checked.length;
    const outcome = searchPartition(search, checked, budget);
    if (outcome.kind === 'violation') {
      const explanation = explain(model, checked, index, partitions.length, outcome.longestPrefix);
      return { ok: false, verdict: 'violation', explanation, stats: stats() };
    }
    if (outcome.kind === 'unknown') {
      return {
        ok: false,
        verdict: 'unknown',
        partitionIndex: index,
        reason: outcome.reason,
        stats: stats(),
      };
    }
  }
  return { ok: true, verdict: 'linearizable', stats: stats() };
}

function validate(operation: Operation<unknown, unknown>): void {
  const { call, return: ret } = operation;
  if (Number.isNaN(ret)) {
    throw new RangeError(`operation of client ${operation.clientId}: return time is NaN`);
  }
  if (!Number.isFinite(call)) {
    throw new RangeError(
      `operation of client ${operation.clientId}: call time ${call} is not finite`,
    );
  }
  if (ret !== undefined && ret < call) {
    throw new RangeError(
      `operation of client ${operation.clientId}: returned at ${ret}, before its call at ${call}`,
    );
  }
}
