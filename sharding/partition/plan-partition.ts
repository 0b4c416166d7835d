import { branchGroups, type NodeGroup } from './branches.js';
import { sequenceCuts } from './cut-crossings.js';
import { describePlan, type PlanContext, type StagePiece } from './describe-stages.js';
import { isExchangeable, tensorByteSize } from './element-types.js';
import { PartitionError, type PartitionErrorReason } from './errors.js';
import { indexGraph } from './graph-index.js';
import { megabytes } from './megabytes.js';
import type { ModelGraph } from './model-graph.js';
import { nodeCosts } from './node-cost.js';
import { NodeSequence } from './node-sequence.js';
import type { PartitionOptions, PartitionPlan } from './partition-plan.js';
import { type Split, type SplitInput, splitSequence, stageCountRange } from './split-sequence.js';
import { scanStageMemory } from './stage-memory.js';
import { shapedValues, type ValueShapes } from './value-shapes.js';

function checkOptions(graph: ModelGraph, options: PartitionOptions): void {
  const { stages, budgetBytes, nodeTimesMs = {} } = options;
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

function checkShapes(graph: ModelGraph, shapes: ValueShapes): void {
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
function checkLargestNode(context: PlanContext, sequence: NodeSequence, budgetBytes: number): void {
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

/** Per start, the largest end whose stage fits the budget. */
function fitsUntil(context: PlanContext, sequence: NodeSequence, budgetBytes: number): Int32Array {
  const ends = new Int32Array(sequence.length);
  for (let start = 0; start < sequence.length; start++) {
    ends[start] = start;
    scanStageMemory(sequence, context.bytesOf, start, (end, { weightBytes, activationBytes }) => {
      if (weightBytes + activationBytes > budgetBytes) return false;
      ends[start] = end;
      return true;
    });
  }
  return ends;
}

/** One group of nodes being split: its sequence, what splitting weighs, its current split. */
interface GroupSplit {
  name: string | undefined;
  sequence: NodeSequence;
  input: SplitInput;
  stages: number;
  /** The most stages it can be cut into. */
  most: number;
  split: Split;
}

function prepareGroup(
  context: PlanContext,
  group: NodeGroup,
  branch: boolean,
  budgetBytes: number | undefined,
): GroupSplit {
  const sequence = new NodeSequence(context.graph, context.index, group.members);
  const exchangeable = (value: string) => isExchangeable(context.shapes.get(value)!.type);
  const input: SplitInput = {
    costs: group.members.map((node) => context.costs.cost[node]!),
    cuts: sequenceCuts(sequence, context.bytesOf, exchangeable),
    fitsUntil: budgetBytes === undefined ? undefined : fitsUntil(context, sequence, budgetBytes),
  };
  const what = branch ? `branch '${group.name}'` : 'the graph';
  const range = stageCountRange(input);
  const stages = budgetBytes === undefined ? 1 : range?.fewest;
  const split = stages === undefined ? undefined : splitSequence(input, stages);
  if (range === undefined || stages === undefined || split === undefined) {
    throw new PartitionError(
      'budget_exceeded',
      `no split of ${what} keeps every stage within ${megabytes(budgetBytes!)}: the cuts it would need pass values of types stages do not exchange (they exchange float32, int32 and int64)`,
    );
  }
  return {
    name: branch ? group.name : undefined,
    sequence,
    input,
    stages,
    most: range.most,
    split,
  };
}

/**
 * Brings the groups' stage counts up to `wanted`: a lone group (a pipeline) directly, else one
 * stage at a time to the group whose costliest stage costs most and can be cut again.
 */
function addStages(groups: GroupSplit[], wanted: number, budgetBytes: number | undefined): void {
  const total = groups.reduce((sum, group) => sum + group.stages, 0);
  if (total > wanted) {
    throw budgetBytes === undefined
      ? new PartitionError(
          'too_few_stages',
          `a component plan runs ${groups.length} parts apart (${groups.map((g) => g.name).join(', ')}), so it needs at least ${groups.length} stages, not ${wanted}`,
        )
      : new PartitionError(
          'budget_exceeded',
          `${wanted} stage(s) cannot each fit ${megabytes(budgetBytes)}: at least ${total} are needed`,
        );
  }
  const most = groups.reduce((sum, group) => sum + group.most, 0);
  if (wanted > most) {
    const budget = budgetBytes === undefined ? '' : ` within ${megabytes(budgetBytes)} each`;
    const or = budgetBytes === undefined ? '' : ' or leave a stage over the budget';
    throw new PartitionError(
      'no_valid_cut',
      `cannot cut the graph into ${wanted} stages${budget}: at most ${most} are possible, as further cuts would pass a value of a type stages do not exchange (they exchange float32, int32 and int64)${or}`,
    );
  }
  // Only a budget can leave a count inside a group's range without a split: a stage's memory
  // can grow when its first node moves later (an input it held briefly is held throughout).
  const noSplit = () =>
    new PartitionError(
      'budget_exceeded',
      `no split of the graph into ${wanted} stages keeps every stage within ${megabytes(budgetBytes ?? 0)}`,
    );
  const lone = groups.length === 1 ? groups[0] : undefined;
  if (lone !== undefined) {
    const split = splitSequence(lone.input, wanted);
    if (split === undefined) throw noSplit();
    lone.stages = wanted;
    lone.split = split;
    return;
  }
  for (let count = total; count < wanted; count++) {
    const costliestFirst = groups
      .filter((group) => group.stages < group.most)
      .sort((a, b) => b.split.bottleneck - a.split.bottleneck);
    const chosen = costliestFirst.find((group) => {
      const split = splitSequence(group.input, group.stages + 1);
      if (split === undefined) return false;
      group.stages++;
      group.split = split;
      return true;
    });
    if (chosen === undefined) throw noSplit();
  }
}

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
    costs: nodeCosts(graph.nodes, dimsOf, options.nodeTimesMs),
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
