import type { PlanContext } from './describe-stages.js';
import { PartitionError } from './errors.js';
import { megabytes } from './megabytes.js';
import type { ModelGraph } from './model-graph.js';
import type { NodeSequence } from './node-sequence.js';
import type { PartitionOptions } from './partition-plan.js';
import { scanStageMemory } from './stage-memory.js';
import { shapedValues, type ValueShapes } from './value-shapes.js';

/** A stage count, budget, node times and handling cost the graph allows. */
export function checkOptions(graph: ModelGraph, options: PartitionOptions): void {
  const { stages, budgetBytes, nodeTimesMs = {}, handlingFlopsPerByte = 0 } = options;
  if (stages !== undefined && !(Number.isSafeInteger(stages) && stages >= 1)) {
    throw new PartitionError(
      'invalid_options',
      `the stage count must be a whole number of at least 1, not ${stages}`,
    );
  }
  if (stages !== undefined && stages > graph.nodes.length) {
    throw new PartitionError(
      'too_many_stages',
      `cannot cut ${graph.nodes.length} node(s) into ${stages} stages: a stage needs at least one node`,
    );
  }
  if (budgetBytes !== undefined && !(Number.isFinite(budgetBytes) && budgetBytes > 0)) {
    throw new PartitionError(
      'invalid_options',
      `the memory budget must be a positive number of bytes, not ${budgetBytes}`,
    );
  }
  if (!(Number.isFinite(handlingFlopsPerByte) && handlingFlopsPerByte >= 0)) {
    throw new PartitionError(
      'invalid_options',
      `the handling cost must be a number of FLOPs a byte of at least 0, not ${handlingFlopsPerByte}`,
    );
  }
  const names = new Set(graph.nodes.map((node) => node.name));
  for (const [name, ms] of Object.entries(nodeTimesMs)) {
    if (!names.has(name)) {
      throw new PartitionError(
        'invalid_options',
        `a node time is given for node '${name}', which the graph does not have`,
      );
    }
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new PartitionError(
        'invalid_options',
        `the time of node '${name}' must be a number of milliseconds ≥ 0, not ${ms}`,
      );
    }
  }
}

/** A shape for every value the plan weighs. */
export function checkShapes(graph: ModelGraph, shapes: ValueShapes): void {
  const missing = shapedValues(graph).filter((name) => !shapes.has(name));
  if (missing.length === 0) return;
  const named = missing
    .slice(0, 5)
    .map((name) => `'${name}'`)
    .join(', ');
  throw new PartitionError(
    'missing_shape',
    `no shape for ${missing.length} value(s) of the graph: ${named}${missing.length > 5 ? ', …' : ''}`,
  );
}

/** A budget no stage can meet because one node alone needs more: the largest such node. */
export function checkLargestNode(
  context: PlanContext,
  sequence: NodeSequence,
  budgetBytes: number,
): void {
  let worst: { at: number; weightBytes: number; activationBytes: number } | undefined;
  for (let at = 0; at < sequence.length; at++) {
    scanStageMemory(sequence, context.bytesOf, at, (_end, memory) => {
      const need = memory.weightBytes + memory.activationBytes;
      if (
        need > budgetBytes &&
        (worst === undefined || need > worst.weightBytes + worst.activationBytes)
      ) {
        worst = { at, ...memory };
      }
      return false;
    });
  }
  if (worst === undefined) return;
  const node = sequence.nodes[worst.at]!;
  const weights = node.inputs.filter((input) => context.graph.initializers.has(input));
  throw new PartitionError(
    'budget_too_small',
    `the budget of ${megabytes(budgetBytes)} is less than node '${node.name}' (${node.opType}) needs on its own: ` +
      `${megabytes(worst.weightBytes + worst.activationBytes)} (${megabytes(worst.weightBytes)} of weights` +
      `${weights.length > 0 ? ` [${weights.join(', ')}]` : ''}, ${megabytes(worst.activationBytes)} of activations)`,
  );
}
