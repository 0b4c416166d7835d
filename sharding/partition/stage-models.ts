import pkg from 'onnx-proto';
import { dataTypeOf } from './element-types.js';
import { PartitionError } from './errors.js';
import type { ModelGraph } from './model-graph.js';
import type { PartitionPlan, StagePlan } from './partition-plan.js';
import type { ValueShape, ValueShapes } from './value-shapes.js';

const { onnx } = pkg;

function valueInfo(name: string, { type, dims }: ValueShape): pkg.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dataTypeOf(type),
        shape: { dim: dims.map((dimValue) => ({ dimValue })) },
      },
    },
  };
}

function stageModel(
  graph: ModelGraph,
  stage: StagePlan,
  stageCount: number,
  shapes: ValueShapes,
): Uint8Array {
  const byName = new Map(graph.nodes.map((node) => [node.name, node]));
  const nodes = stage.nodes.map((name) => {
    const node = byName.get(name);
    if (node === undefined) {
      throw new PartitionError(
        'plan_mismatch',
        `stage ${stage.index} of the plan runs node '${name}', which graph '${graph.name}' does not have`,
      );
    }
    return node;
  });
  const reads = new Set(nodes.flatMap((node) => node.inputs));
  const initializer = (graph.model.graph?.initializer ?? []).filter((tensor) =>
    reads.has(tensor.name ?? ''),
  );
  const boundary = new Set([...stage.inputs, ...stage.outputs].map((tensor) => tensor.name));
  const source = graph.model;
  const model = onnx.ModelProto.create({
    irVersion: source.irVersion,
    opsetImport: source.opsetImport,
    producerName: source.producerName,
    producerVersion: source.producerVersion,
    domain: source.domain,
    modelVersion: source.modelVersion,
    docString: `Stage ${stage.index} of ${stageCount} of '${graph.name}', cut by DTF.`,
    functions: source.functions,
    graph: {
      name: `${graph.name}.stage${stage.index}`,
      node: nodes.map((node) => node.proto),
      initializer,
      input: stage.inputs.map((tensor) => valueInfo(tensor.name, tensor)),
      output: stage.outputs.map((tensor) => valueInfo(tensor.name, tensor)),
      valueInfo: nodes
        .flatMap((node) => node.outputs)
        .filter((name) => !boundary.has(name))
        .flatMap((name) => {
          const shape = shapes.get(name);
          return shape === undefined ? [] : [valueInfo(name, shape)];
        }),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Each stage of `plan` as a standalone serialized ModelProto: the same IR version, opsets and
 * functions as the model, the stage's nodes, only the initializers they read, its inputs and
 * outputs named after the tensors that cross its cuts, and value_info with the shape of
 * every value it computes inside (from `shapes`, as the plan was made with). Stages are fixed
 * to those shapes.
 */
export function stageModels(
  graph: ModelGraph,
  plan: PartitionPlan,
  shapes: ValueShapes,
): Uint8Array[] {
  return plan.stages.map((stage) => stageModel(graph, stage, plan.stages.length, shapes));
}
