import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_MODEL_NAMES, SAMPLE_MODELS } from './catalog.js';
import { referenceOutputs } from './reference.js';

/**
 * Writes every sample model as `<name>.onnx`, with `<name>.json` beside it holding its
 * description, seed, inputs and reference outputs. Returns the paths written.
 */
export async function writeSampleModels(dir: string, seed: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const name of SAMPLE_MODEL_NAMES) {
    const model = SAMPLE_MODELS[name](seed);
    const modelPath = join(dir, `${name}.onnx`);
    const infoPath = join(dir, `${name}.json`);
    const info = {
      name,
      description: model.description,
      seed,
      inputs: model.inputs,
      referenceOutputs: await referenceOutputs(model),
    };
    await writeFile(modelPath, model.bytes);
    await writeFile(infoPath, `${JSON.stringify(info, null, 2)}\n`);
    written.push(modelPath, infoPath);
  }
  return written;
}
