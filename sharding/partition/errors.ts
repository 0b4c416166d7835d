/**
 * Why a model cannot be partitioned as asked:
 * - `invalid_model`: the bytes are not an ONNX ModelProto with a graph.
 * - `unsupported_model`: something the partitioner does not read (external or sparse
 *   initializers, a graph output no node computes).
 * - `duplicate_value`: two nodes (or a node and a graph input or initializer) produce one value.
 * - `missing_value`: a node reads a value that no node, graph input or initializer provides
 *   (a missing initializer, say).
 * - `cycle`: the nodes depend on each other in a loop.
 * - `missing_shape`: the shapes given lack a value the plan needs.
 * - `unsupported_type`: a value that would pass between stages is of a type stages do not
 *   exchange (they exchange float32, int32 and int64 tensors).
 * - `too_many_stages`: more stages asked for than the graph has nodes.
 * - `too_few_stages`: fewer stages than a component plan has branches to run apart.
 * - `no_branches`: a component plan asked of a graph without independent branches.
 * - `no_valid_cut`: the graph cannot be cut into the stages asked for without passing a value
 *   stages do not exchange.
 * - `budget_too_small`: one node alone needs more memory than the budget.
 * - `budget_exceeded`: the stages asked for cannot each fit the budget.
 * - `invalid_options`: a stage count, budget or node time that is not a usable number, or a
 *   node time for a node the graph does not have.
 * - `plan_mismatch`: a plan names nodes the graph does not have.
 */
export type PartitionErrorReason =
  | 'invalid_model'
  | 'unsupported_model'
  | 'duplicate_value'
  | 'missing_value'
  | 'cycle'
  | 'missing_shape'
  | 'unsupported_type'
  | 'too_many_stages'
  | 'too_few_stages'
  | 'no_branches'
  | 'no_valid_cut'
  | 'budget_too_small'
  | 'budget_exceeded'
  | 'invalid_options'
  | 'plan_mismatch';

/** A model that cannot be partitioned as asked; `reason` says why, the message names the cause. */
export class PartitionError extends Error {
  constructor(
    readonly reason: PartitionErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'PartitionError';
  }
}
