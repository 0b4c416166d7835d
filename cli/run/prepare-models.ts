import { describeError, uploadArtifact } from '../../client/index.js';
import { type ReferenceOutputs, referenceOutputs, type TestModel } from '../../models/index.js';
import type { ModelMatrix } from '../../protocol/index.js';
import { loadModelEntry } from '../model-entry.js';
import type { StoredModel } from './matrix-tasks.js';

/** The matrix's models, built or read, with onnxruntime-node's outputs for each. */
export interface LoadedModels {
  models: TestModel[];
  /** onnxruntime-node's outputs for each model, by model name. */
  references: Map<string, ReferenceOutputs>;
}

async function loadModel(entry: string, seed: number, what: string): Promise<TestModel> {
  try {
    return await loadModelEntry(entry, seed, 'matrix model');
  } catch (error) {
    throw new Error(`${what}: ${describeError(error)}`);
  }
}

/**
 * Builds or reads every model of the matrix (`what` names the suite file in errors) and
 * computes its reference outputs with onnxruntime-node: all before anything starts.
 */
export async function loadModels(matrix: ModelMatrix, what: string): Promise<LoadedModels> {
  const models: TestModel[] = [];
  const references = new Map<string, ReferenceOutputs>();
  for (const entry of matrix.models) {
    const model = await loadModel(entry, matrix.seed, what);
    models.push(model);
    references.set(model.name, await referenceOutputs(model));
  }
  return { models, references };
}

/** Stores every loaded model in the coordinator's artifact store. */
export async function storeModels(
  loaded: LoadedModels,
  coordinatorHttpUrl: string,
  token: string | undefined,
  progress: (line: string) => void,
): Promise<StoredModel[]> {
  const stored: StoredModel[] = [];
  for (const model of loaded.models) {
    const ref = await uploadArtifact(coordinatorHttpUrl, model.bytes, token);
    stored.push({ name: model.name, ref, inputs: model.inputs });
    progress(
      `model ${model.name}: ${(model.bytes.byteLength / 1024).toFixed(0)} KiB, reference computed, stored as ${ref.slice(0, 19)}…`,
    );
  }
  return stored;
}
