import { materializeTensor } from '../tensors/index.js';
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
  const [outputs] = await referenceRuns(model.bytes, [model.inputs]);
  return outputs!;
}

/** Runs the model on onnxruntime-node's CPU provider once per set of inputs, in one session. */
export async function referenceRuns(
  bytes: Uint8Array,
  inputSets: ReadonlyArray<TestModel['inputs']>,
): Promise<ReferenceOutputs[]> {
  // Loaded on first use: the native library is large and most importers never need it.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const runs: ReferenceOutputs[] = [];
    for (const inputs of inputSets) {
      const feeds = Object.fromEntries(
        Object.entries(inputs).map(([name, input]) => [
          name,
          new ort.Tensor(input.type, materializeTensor(input), input.dims),
        ]),
      );
      const results = await session.run(feeds);
      runs.push(
        Object.fromEntries(
          Object.entries(results).map(([name, tensor]) => [
            name,
            {
              dims: [...tensor.dims],
              type: tensor.type,
              data: Array.from(tensor.data as ArrayLike<number | bigint>, Number),
            },
          ]),
        ),
      );
    }
    return runs;
  } finally {
    await session.release();
  }
}
