import type { TestModel } from '../../models/index.js';
import {
  type ModelGraph,
  type PartitionOptions,
  type PartitionPlan,
  planPartition,
  readModelGraph,
  resolveShapes,
  stageModels,
  type ValueShapes,
} from '../partition/index.js';

/** A model read, its shapes known, cut into stages, each stage written as a model of its own. */
export interface PreparedModel {
  model: TestModel;
  graph: ModelGraph;
  shapes: ValueShapes;
  plan: PartitionPlan;
  stageBytes: Uint8Array[];
}

export class StageNotRunnableError extends Error {
  override readonly name = 'StageNotRunnableError';
}

/**
 * Creates an onnxruntime-node session for each stage model: a stage whose op has no kernel
 * there has none anywhere, since onnxruntime-web's webgpu and webnn providers hand the ops they
 * lack to the same CPU kernels its wasm build runs. So the run refuses it before it starts.
 */
export async function checkStagesRunnable(
  plan: PartitionPlan,
  stageBytes: readonly Uint8Array[],
): Promise<void> {
  const ort = await import('onnxruntime-node');
  for (const [index, bytes] of stageBytes.entries()) {
    let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    } catch (error) {
      const ops = Object.keys(plan.stages[index]!.ops).join(', ');
      throw new StageNotRunnableError(
        `stage ${index} (${ops}) cannot run on any backend: onnxruntime refuses it: ${(error as Error).message.split('\n', 1)[0]}`,
      );
    }
    await session.release();
  }
}

/** Reads and cuts a model as the options ask; the stage models are checked runnable. */
export async function prepareModel(
  model: TestModel,
  options: PartitionOptions,
): Promise<PreparedModel> {
  const graph = readModelGraph(model.bytes);
  const { shapes } = await resolveShapes(graph, model.inputs);
  const plan = planPartition(graph, shapes, options);
  const stageBytes = stageModels(graph, plan, shapes);
  await checkStagesRunnable(plan, stageBytes);
  return { model, graph, shapes, plan, stageBytes };
}
