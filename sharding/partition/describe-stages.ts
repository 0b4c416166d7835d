import { isExchangeable } from './element-types.js';
import { PartitionError } from './errors.js';
import type { GraphIndex } from './graph-index.js';
import type { ModelGraph } from './model-graph.js';
import type { NodeCosts } from './node-cost.js';
import type { NodeSequence } from './node-sequence.js';
import type {
  PartitionPlan,
  PartitionStrategy,
  StageCut,
  StagePlan,
  TensorInfo,
} from './partition-plan.js';
import { stageMemory } from './stage-memory.js';
import type { ValueShapes } from './value-shapes.js';

/** What describing a plan needs to know of the graph. */
export interface PlanContext {
  graph: ModelGraph;
  index: GraphIndex;
  shapes: ValueShapes;
  bytesOf: (value: string) => number;
  costs: NodeCosts;
}

/** A stage as cut: positions [start, end) of a sequence. */
export interface StagePiece {
  branch?: string;
  sequence: NodeSequence;
  start: number;
  end: number;
}

function tensorInfo(context: PlanContext, name: string, role: string): TensorInfo {
  const { type, dims } = context.shapes.get(name)!;
  if (!isExchangeable(type)) {
    throw new PartitionError(
      'unsupported_type',
      `value '${name}' (${type}) would be ${role}; stages exchange float32, int32 and int64 tensors only`,
    );
  }
  return { name, type, dims: [...dims], bytes: context.bytesOf(name) };
}

const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);
// Not Math.max(...values): spreading a graph's worth of values can overflow the stack.
const largest = (values: readonly number[]) => values.reduce((top, v) => Math.max(top, v), 0);

/**
 * The plan of `pieces`, given in an order where every piece comes after those it reads from:
 * each stage's nodes, ops, memory, cost, inputs, outputs and dependencies, and the tensors
 * that pass between each pair of stages.
 */
export function describePlan(
  context: PlanContext,
  pieces: readonly StagePiece[],
  strategy: PartitionStrategy,
  budgetBytes: number | undefined,
): PartitionPlan {
  const { graph, index, costs } = context;
  const stageOf = new Int32Array(graph.nodes.length).fill(-1);
  const members = pieces.map(({ sequence, start, end }, stage) => {
    const nodes = sequence.members.slice(start, end);
    for (const node of nodes) stageOf[node] = stage;
    return nodes;
  });
  const cuts = new Map<string, StageCut>();
  const stages = pieces.map((piece, stage): StagePlan => {
    const nodes = members[stage]!.map((i) => graph.nodes[i]!);
    const role = `an input of stage ${stage}`;
    const read = new Set<string>();
    const inputs: TensorInfo[] = [];
    const dependsOn = new Set<number>();
    for (const input of nodes.flatMap((node) => node.inputs)) {
      const producer = index.producer.get(input);
      const from = producer === undefined ? undefined : stageOf[producer]!;
      if (read.has(input) || graph.initializers.has(input) || from === stage) continue;
      read.add(input);
      const tensor = tensorInfo(context, input, role);
      inputs.push(tensor);
      if (from === undefined) continue;
      dependsOn.add(from);
      const key = `${from}→${stage}`;
      const cut = cuts.get(key) ?? { from, to: stage, tensors: [], bytes: 0 };
      cut.tensors.push(tensor);
      cut.bytes += tensor.bytes;
      cuts.set(key, cut);
    }
    const outputs = nodes
      .flatMap((node) => node.outputs)
      .filter(
        (value) =>
          index.graphOutputs.has(value) ||
          (index.consumers.get(value) ?? []).some((reader) => stageOf[reader] !== stage),
      )
      .map((value) => tensorInfo(context, value, `an output of stage ${stage}`));
    const opCounts = new Map<string, number>();
    for (const node of nodes) opCounts.set(node.opType, (opCounts.get(node.opType) ?? 0) + 1);
    const memory = stageMemory(piece.sequence, context.bytesOf, piece.start, piece.end);
    return {
      index: stage,
      ...(piece.branch === undefined ? {} : { branch: piece.branch }),
      nodes: nodes.map((node) => node.name),
      ops: Object.fromEntries(opCounts),
      weightBytes: memory.weightBytes,
      activationBytes: memory.activationBytes,
      costFlops: sum(members[stage]!.map((i) => costs.flops[i]!)),
      cost: sum(members[stage]!.map((i) => costs.cost[i]!)),
      inputs,
      outputs,
      dependsOn: [...dependsOn].sort((a, b) => a - b),
    };
  });
  const cutList = [...cuts.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  const weightsRead = new Set(
    graph.nodes.flatMap((node) => node.inputs.filter((input) => graph.initializers.has(input))),
  );
  return {
    model: graph.name,
    strategy,
    costUnit: costs.unit,
    ...(budgetBytes === undefined ? {} : { budgetBytes }),
    stages,
    cuts: cutList,
    totals: {
      nodes: graph.nodes.length,
      weightBytes: sum([...weightsRead].map((name) => graph.initializers.get(name)!.bytes)),
      costFlops: sum(costs.flops),
      cost: sum(costs.cost),
      crossingBytes: sum(cutList.map((cut) => cut.bytes)),
      largestStageCost: largest(stages.map((stage) => stage.cost)),
      largestStageBytes: largest(stages.map((s) => s.weightBytes + s.activationBytes)),
    },
  };
}
