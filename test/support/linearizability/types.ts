/**
 * The shapes the linearizability checker works on: operations of a recorded client history,
 * the sequential model they are checked against, and the verdict.
 */

/**
 * One operation a client invoked. `call` and `return` are times on one clock that all
 * clients share (a logical counter of the recorder is enough): an operation that returned
 * before another was called must be linearized before it.
 *
 * An operation that never returned (`return` is `undefined` or `Infinity`, e.g. the client
 * was killed or its request failed ambiguously) may or may not have taken effect: the checker
 * either leaves it out or linearizes it at some point after its call, giving the model
 * `undefined` as its output. Its `output`, if any, is ignored.
 */
export interface Operation<I, O> {
  readonly clientId: string | number;
  readonly input: I;
  readonly output?: O;
  readonly call: number;
  readonly return?: number;
}

export type History<I, O> = readonly Operation<I, O>[];

/** What one step of the sequential specification says. */
export interface StepResult<S> {
  /** Whether `output` is what the operation may answer in this state. */
  readonly ok: boolean;
  /** The state after the operation (meaningless when `ok` is false). */
  readonly state: S;
}

/** A sequential specification of the object under test. */
export interface Model<S, I, O> {
  /** The state before any operation. */
  init(): S;
  /**
   * Applies `input` to `state`. `output` is what the system answered, or `undefined` for an
   * operation that never returned: the model must then accept whatever the operation would
   * have answered and apply the effect it would have had. Must not mutate `state`.
   */
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  /**
   * P-compositionality: splits a history into sub-histories over independent objects (e.g. one
   * per task id); the history is linearizable iff every sub-history is. Without it the whole
   * history is one partition.
   */
  partition?(history: History<I, O>): History<I, O>[];
  /** Whether two states are the same (default: structural equality of JSON-like values). */
  equal?(a: S, b: S): boolean;
  /** A hash of a state, equal for equal states (default: derived from its JSON). */
  hash?(state: S): number | string;
  /**
   * Whether this operation, answering `output` (`undefined`: it never returned), leaves every
   * state unchanged wherever the model accepts it: a read, or a compare-and-set that failed.
   * Optional, but it must hold for every state when given. The search tries such operations
   * first and commits to them when they fit; those that never returned are dropped.
   */
  readOnly?(input: I, output: O | undefined): boolean;
  /** One operation for messages, e.g. `put(x, 1) → ok`; `output` is undefined if it never returned. */
  describe?(input: I, output: O | undefined): string;
  /** A state for messages. */
  describeState?(state: S): string;
}

export interface CheckOptions {
  /**
   * The most model steps the whole check may take before it answers `unknown`
   * (default 20,000,000: some 10 to 20 seconds).
   */
  readonly maxSteps?: number;
  /** Wall-clock limit in milliseconds before it answers `unknown` (default: none). */
  readonly timeoutMs?: number;
  /** The clock `timeoutMs` is measured on (default `performance.now`). */
  readonly now?: () => number;
}

export interface CheckStats {
  /** Partitions the history was split into. */
  readonly partitions: number;
  /** Operations checked (after dropping read-only operations that never returned). */
  readonly operations: number;
  /** Model steps taken, all partitions together. */
  readonly steps: number;
}

/** An operation that could have come next after the longest prefix, and why it did not fit. */
export interface UnplacedOperation<I, O> {
  readonly operation: Operation<I, O>;
  /**
   * `rejected`: the model does not allow it in the state after the prefix; `dead-end`: it is
   * allowed there, but no way of going on from it linearizes the rest.
   */
  readonly reason: 'rejected' | 'dead-end';
}

/** Why a partition is not linearizable, as far as a short explanation can say. */
export interface Explanation<I, O> {
  /** Which partition (index into the model's partitions, in their order). */
  readonly partitionIndex: number;
  /** The partition's operations as checked (reads that never returned are dropped). */
  readonly operations: History<I, O>;
  /** A longest linearizable prefix the search found, in linearization order. */
  readonly longestPrefix: History<I, O>;
  /** The model state after that prefix, described. */
  readonly stateAfterPrefix: string;
  /**
   * The operations that could come next in real-time order after the prefix; none of them
   * leads to a linearization. The first operation still to be linearized that returned is
   * among them.
   */
  readonly unplaced: readonly UnplacedOperation<I, O>[];
  /** All of the above as a readable message. */
  readonly message: string;
}

export type CheckResult<I, O> =
  | { readonly ok: true; readonly verdict: 'linearizable'; readonly stats: CheckStats }
  | {
      readonly ok: false;
      readonly verdict: 'violation';
      readonly explanation: Explanation<I, O>;
      readonly stats: CheckStats;
    }
  | {
      readonly ok: false;
      readonly verdict: 'unknown';
      /** The partition that ran out of budget. */
      readonly partitionIndex: number;
      readonly reason: string;
      readonly stats: CheckStats;
    };
