import { materializeTensor } from '../protocol/index.js';
import type { TestModel } from './sample-model.js';

/** One output of a model as onnxruntime-node computes it. */
export interface ReferenceOutput {
  dims: number[];
  type: string;
  data: number[];
}

export type ReferenceOutputs = Record<string, ReferenceOutput>;

/** Runs the model once on onnxruntime-node's CPU provider with its seeded inputs. */
export async function referenceOutputs(
  model: Pick<TestModel, 'bytes' | 'inputs'>,
): Promise<ReferenceOutputs> {
  // Loaded on first use: the native library is large and most importers never need it.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(model.bytes, { executionProviders: ['cpu'] });
  try {
    const feeds = Object.fromEntries(
      Object.entries(model.inputs).map(([name, input]) => [
        name,
        new ort.Tensor(input.type, materializeTensor(input), input.dims),
      ]),
    );
    const results = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(results).map(([name, tensor]) => [
        name,
        {
          dims: [...tensor.dims],
          type: tensor.type,
          data: Array.from(tensor.data as ArrayLike<number | bigint>, Number),
        },
      ]),
    );
  } finally {
    await session.release();
  }
}
