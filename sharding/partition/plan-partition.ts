import { branchGroups, type NodeGroup } from './branches.js';
import { describePlan, type PlanContext, type StagePiece } from './describe-stages.js';
import { tensorByteSize } from './element-types.js';
import { PartitionError, type PartitionErrorReason } from './errors.js';
import { indexGraph } from './graph-index.js';
import { addStages, prepareGroup } from './group-splits.js';
import type { ModelGraph } from './model-graph.js';
import { nodeCosts } from './node-cost.js';
import { NodeSequence } from './node-sequence.js';
import type { PartitionOptions, PartitionPlan } from './partition-plan.js';
import { checkLargestNode, checkOptions, checkShapes } from './plan-checks.js';
import { shapedValues, type ValueShapes } from './value-shapes.js';

/** The graph's branches when a component plan is asked for, or may be (`auto`). */
function componentGroups(
  graph: ModelGraph,
  context: PlanContext,
  options: PartitionOptions,
): NodeGroup[] | undefined {
  const strategy = options.strategy ?? 'auto';
  if (strategy === 'pipeline') return undefined;
  const groups = branchGroups(graph, context.index);
  if (strategy === 'component' && groups === undefined) {
    throw new PartitionError(
      'no_branches',
      `the graph has no independent branches to run apart (towers starting from different graph inputs); its inputs: ${graph.inputs.join(', ') || 'none'}`,
    );
  }
  const fewEnough =
    options.stages === undefined || groups === undefined || options.stages >= groups.length;
  return strategy === 'component' || fewEnough ? groups : undefined;
}

/** Why a component plan failed that a pipeline plan of the same graph may not fail for. */
const COMPONENT_ONLY: readonly PartitionErrorReason[] = [
  'budget_exceeded',
  'no_valid_cut',
  'unsupported_type',
];

/**
 * Cuts the graph into stages (see `PartitionOptions` for the strategies, `splitSequence` for
 * how cut positions are chosen, `StagePlan` for the memory a stage is counted to need).
 * `shapes` must hold every graph input and node output (`resolveShapes`). Throws a
 * PartitionError, before anything runs, when the graph cannot be cut as asked.
 */
export function planPartition(
  graph: ModelGraph,
  shapes: ValueShapes,
  options: PartitionOptions = {},
): PartitionPlan {
  checkOptions(graph, options);
  checkShapes(graph, shapes);
  const valueBytes = new Map(
    shapedValues(graph).map((name) => {
      const { type, dims } = shapes.get(name)!;
      return [name, tensorByteSize(type, dims) ?? 0];
    }),
  );
  const dimsOf = (value: string) => shapes.get(value)?.dims ?? graph.initializers.get(value)?.dims;
  const context: PlanContext = {
    graph,
    index: indexGraph(graph),
    shapes,
    bytesOf: (value) => valueBytes.get(value) ?? 0,
    costs: nodeCosts(graph.nodes, dimsOf, options.nodeTimesMs, options.handlingFlopsPerByte),
  };
  const { budgetBytes } = options;
  const whole: NodeGroup = { name: 'all', members: graph.nodes.map((_, i) => i) };
  if (budgetBytes !== undefined) {
    checkLargestNode(context, new NodeSequence(graph, context.index, whole.members), budgetBytes);
  }
  const plan = (groups: NodeGroup[] | undefined): PartitionPlan => {
    const splits = (groups ?? [whole]).map((group) =>
      prepareGroup(context, group, groups !== undefined, budgetBytes),
    );
    if (options.stages !== undefined) addStages(splits, options.stages, budgetBytes);
    const pieces: StagePiece[] = splits.flatMap(({ name, sequence, split }) =>
      split.bounds.slice(1).map((end, i) => ({
        ...(name === undefined ? {} : { branch: name }),
        sequence,
        start: split.bounds[i]!,
        end,
      })),
    );
    return describePlan(
      context,
      pieces,
      groups === undefined ? 'pipeline' : 'component',
      budgetBytes,
    );
  };
  const groups = componentGroups(graph, context, options);
  if (groups === undefined || options.strategy === 'component') return plan(groups);
  try {
    return plan(groups);
  } catch (error) {
    // `auto`: where the branches cannot be run apart as asked, a pipeline may still do.
    if (!(error instanceof PartitionError && COMPONENT_ONLY.includes(error.reason))) throw error;
    return plan(undefined);
  }
}
