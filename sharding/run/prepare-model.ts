import type { TestModel } from '../../models/index.js';
import {
  type ModelGraph,
  PartitionError,
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

/** The first line of onnxruntime's words: the rest is its call stack. */
const firstLine = (error: unknown) => (error as Error).message.split('\n', 1)[0];

/** Why no backend can run what onnxruntime-node refused. */
const NO_BACKEND =
  "cannot run on any backend: onnxruntime-web's webgpu and webnn providers hand the ops they lack to the CPU kernels its wasm build shares with onnxruntime-node, which refuses it";

/**
 * Creates an onnxruntime-node session for each stage model: a stage whose op has no kernel
 * there has none anywhere (see `NO_BACKEND`), so the run refuses it before it starts.
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
      throw new StageNotRunnableError(`stage ${index} (${ops}) ${NO_BACKEND}: ${firstLine(error)}`);
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
  let shapes: ValueShapes;
  try {
    ({ shapes } = await resolveShapes(graph, model.inputs));
  } catch (error) {
    if (error instanceof PartitionError) throw error;
    // Measuring the shapes runs the whole model once: what fails there fails in any stage.
    throw new StageNotRunnableError(`the model ${NO_BACKEND}: ${firstLine(error)}`);
  }
  const plan = planPartition(graph, shapes, options);
  const stageBytes = stageModels(graph, plan, shapes);
  await checkStagesRunnable(plan, stageBytes);
  return { model, graph, shapes, plan, stageBytes };
}
