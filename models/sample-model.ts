import type { TensorInput } from '../protocol/index.js';
import type { FloatTensor, GraphBuilder } from './onnx-builder.js';

/** An ONNX model and the inputs to run it with. */
export interface TestModel {
  name: string;
  description: string;
  /** The serialized ModelProto. */
  bytes: Uint8Array;
  inputs: Record<string, TensorInput>;
}

/** A model DTF builds itself; its weights are exposed so tests can recompute its outputs. */
export interface SampleModel extends TestModel {
  weights: Record<string, FloatTensor>;
}

export type SampleModelBuilder = (seed: number) => SampleModel;

/**
 * A float32 input generated from a seed. The seed differs from the weights' seed so that
 * inputs and weights are not the same stream of numbers.
 */
export function seededInput(dims: number[], modelSeed: number): TensorInput {
  return { type: 'float32', dims, seed: modelSeed + 1 };
}

export function finishSampleModel(
  graph: GraphBuilder,
  name: string,
  description: string,
  inputs: Record<string, TensorInput>,
): SampleModel {
  return {
    name,
    description,
    bytes: graph.serialize(name, description),
    inputs,
    weights: graph.weights(),
  };
}
