import { basename } from 'node:path';
import {
  buildSampleModel,
  loadUserModel,
  SAMPLE_MODEL_NAMES,
  type TestModel,
} from '../models/index.js';
import { pathProblem } from './run/path-problem.js';

const SAMPLE_PREFIX = 'sample:';

function sampleName(entry: string): string | undefined {
  if (entry.startsWith(SAMPLE_PREFIX)) return entry.slice(SAMPLE_PREFIX.length);
  return (SAMPLE_MODEL_NAMES as readonly string[]).includes(entry) ? entry : undefined;
}

/**
 * A model named on the command line or in a suite: a sample model's name (`mlp`, or
 * `sample:mlp`), built from `seed`, or an `.onnx` file, read with inputs seeded from `seed`
 * (`loadUserModel`) and named after the file. Errors name it as `<noun> '<entry>'`.
 */
export async function loadModelEntry(
  entry: string,
  seed: number,
  noun: string,
): Promise<TestModel> {
  const sample = sampleName(entry);
  if (sample !== undefined) return buildSampleModel(sample, seed);
  if (!entry.endsWith('.onnx')) {
    throw new Error(
      `${noun} '${entry}' is neither a sample model (${SAMPLE_MODEL_NAMES.join(', ')}) nor an .onnx file`,
    );
  }
  const problem = await pathProblem(entry, 'file');
  if (problem !== undefined) throw new Error(`${noun} '${entry}' ${problem}`);
  return { ...(await loadUserModel(entry, seed)), name: basename(entry, '.onnx') };
}
