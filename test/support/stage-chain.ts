import pkg from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { TensorInput } from '../../protocol/index.js';
import type { PartitionPlan } from '../../sharding/partition/index.js';
import { materializeTensor } from '../../tensors/index.js';

type Tensors = Record<string, ort.Tensor>;

/** Tensors of a model's seeded inputs, as every worker materializes them. */
export function seededFeeds(inputs: Readonly<Record<string, TensorInput>>): Tensors {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, input]) => [
      name,
      new ort.Tensor(input.type, materializeTensor(input), input.dims),
    ]),
  );
}

/**
 * Graph optimizations onnxruntime applies: `all` (its default) fuses ops that sit in one
 * model (a Transpose into the MatMul that reads it, say) into kernels that may round
 * differently; `disabled` runs every op as it stands.
 */
export type Optimization = 'disabled' | 'all';

/** One run on onnxruntime-node's CPU provider, on one thread. */
export async function runModel(
  bytes: Uint8Array,
  feeds: Tensors,
  optimization: Optimization = 'all',
): Promise<Tensors> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    graphOptimizationLevel: optimization,
  });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/**
 * Runs the stage models in plan order (every stage after those it depends on), each fed the
 * graph inputs and earlier stages' outputs it names; returns every tensor seen.
 */
export async function runStages(
  stages: readonly Uint8Array[],
  plan: PartitionPlan,
  feeds: Tensors,
  optimization: Optimization = 'all',
): Promise<Tensors> {
  const values: Tensors = { ...feeds };
  for (const stage of plan.stages) {
    const stageFeeds = Object.fromEntries(stage.inputs.map(({ name }) => [name, values[name]!]));
    Object.assign(values, await runModel(stages[stage.index]!, stageFeeds, optimization));
  }
  return values;
}

/** The bytes of a tensor's elements, for a bitwise comparison. */
export function tensorBytes(tensor: ort.Tensor): Buffer {
  const data = tensor.data as ArrayBufferView;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The largest absolute difference between two float tensors' elements. */
export function largestDifference(a: ort.Tensor, b: ort.Tensor): number {
  const [x, y] = [a.data as Float32Array, b.data as Float32Array];
  return x.reduce((largest, value, i) => Math.max(largest, Math.abs(value - y[i]!)), 0);
}

/**
 * The initializers a stage model holds, and the model's initializers (`weights`) that the
 * stage's nodes, or their subgraphs, read: a stage should hold exactly those.
 */
export function initializerUse(
  stage: Uint8Array,
  weights: ReadonlySet<string>,
): { held: string[]; read: string[] } {
  const graph = pkg.onnx.ModelProto.decode(stage).graph!;
  const read = new Set<string>();
  const visit = (g: pkg.onnx.IGraphProto) => {
    for (const node of g.node ?? []) {
      for (const input of node.input ?? []) if (weights.has(input)) read.add(input);
      for (const attribute of node.attribute ?? []) {
        for (const sub of [...(attribute.g ? [attribute.g] : []), ...(attribute.graphs ?? [])]) {
          visit(sub);
        }
      }
    }
  };
  visit(graph);
  const held = (graph.initializer ?? []).map((tensor) => tensor.name ?? '');
  return { held: held.sort(), read: [...read].sort() };
}
