import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type TensorInput, TensorType } from '../protocol/index.js';
import { modelProtoProblem } from './onnx-builder.js';
import type { TestModel } from './sample-model.js';

type ValueMetadata = import('onnxruntime-node').InferenceSession.ValueMetadata;

/**
 * A user's own `.onnx` file with seeded inputs derived from its graph: dynamic dimensions
 * become 1, and input i gets seed `seed + i`. Throws "not an ONNX model: <path>: <problem>"
 * when onnxruntime-node cannot load the file.
 */
export async function loadUserModel(path: string, seed = 1): Promise<TestModel> {
  const bytes = new Uint8Array(await readFile(path));
  const notAModel = (problem: string) => new Error(`not an ONNX model: ${path}: ${problem}`);
  const problem = modelProtoProblem(bytes);
  if (problem) throw notAModel(problem);

  const ort = await import('onnxruntime-node');
  let inputMetadata: readonly ValueMetadata[];
  try {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    inputMetadata = session.inputMetadata;
    await session.release();
  } catch (error) {
    throw notAModel(`onnxruntime-node cannot load it: ${(error as Error).message}`);
  }
  const inputs: Record<string, TensorInput> = {};
  inputMetadata.forEach((input, i) => {
    inputs[input.name] = seededInputFor(input, seed + i, path);
  });
  return {
    name: basename(path).replace(/\.onnx$/i, ''),
    description: `user model ${path}`,
    bytes,
    inputs,
  };
}

function seededInputFor(input: ValueMetadata, seed: number, path: string): TensorInput {
  const cannotFeed = (why: string) =>
    new Error(`cannot feed input '${input.name}' of ${path}: ${why}`);
  if (!input.isTensor) throw cannotFeed('it is not a tensor');
  const type = TensorType.safeParse(input.type);
  if (!type.success) {
    throw cannotFeed(
      `its type is ${input.type}; seeded inputs are ${TensorType.options.join(', ')}`,
    );
  }
  const dims = input.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : 1));
  return { type: type.data, dims, seed };
}
