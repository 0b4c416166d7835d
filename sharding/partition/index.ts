/**
 * Cuts an ONNX model into stages that run on different workers. Pure, except
 * `measureShapes` and `resolveShapes`, which run the model once on onnxruntime-node.
 *
 *     const graph = readModelGraph(bytes);
 *     const { shapes } = await resolveShapes(graph, model.inputs);
 *     const plan = planPartition(graph, shapes, { stages: 3, budgetBytes: 64e6 });
 *     const stages = stageModels(graph, plan, shapes);
 */
export type { ElementType } from './element-types.js';
export { PartitionError, type PartitionErrorReason } from './errors.js';
export { measureShapes, resolveShapes } from './measure-shapes.js';
export { megabytes } from './megabytes.js';
export {
  type GraphNode,
  type InitializerInfo,
  type ModelGraph,
  readModelGraph,
} from './model-graph.js';
export type {
  PartitionOptions,
  PartitionPlan,
  PartitionStrategy,
  StageCut,
  StagePlan,
  TensorInfo,
} from './partition-plan.js';
export { planPartition } from './plan-partition.js';
export { BALANCE_TOLERANCE } from './split-sequence.js';
export { stageModels } from './stage-models.js';
export { declaredShapes, type ValueShape, type ValueShapes } from './value-shapes.js';
