import { basename } from 'node:path';
import { uploadArtifact } from '../../client/index.js';
import {
  buildSampleModel,
  loadUserModel,
  type ReferenceOutputs,
  referenceOutputs,
  SAMPLE_MODEL_NAMES,
  type TestModel,
} from '../../models/index.js';
import type { ModelMatrix } from '../../protocol/index.js';
import type { StoredModel } from './matrix-tasks.js';

export interface PreparedModels {
  stored: StoredModel[];
  /** onnxruntime-node's outputs for each model, by model name. */
  references: Map<string, ReferenceOutputs>;
}

function isSampleName(entry: string): boolean {
  return (SAMPLE_MODEL_NAMES as readonly string[]).includes(entry);
}

async function loadModel(entry: string, seed: number): Promise<TestModel> {
  if (isSampleName(entry)) return buildSampleModel(entry, seed);
  if (!entry.endsWith('.onnx')) {
    throw new Error(
      `matrix model '${entry}' is neither a sample model (${SAMPLE_MODEL_NAMES.join(', ')}) nor an .onnx file`,
    );
  }
  return { ...(await loadUserModel(entry, seed)), name: basename(entry, '.onnx') };
}

/**
 * Builds or reads every model of the matrix, computes its reference outputs with
 * onnxruntime-node, and stores it in the coordinator's artifact store.
 */
export async function prepareModels(
  matrix: ModelMatrix,
  coordinatorHttpUrl: string,
  token: string | undefined,
  progress: (line: string) => void,
): Promise<PreparedModels> {
  const stored: StoredModel[] = [];
  const references = new Map<string, ReferenceOutputs>();
  for (const entry of matrix.models) {
    const model = await loadModel(entry, matrix.seed);
    references.set(model.name, await referenceOutputs(model));
    const ref = await uploadArtifact(coordinatorHttpUrl, model.bytes, token);
    stored.push({ name: model.name, ref, inputs: model.inputs });
    progress(
      `model ${model.name}: ${(model.bytes.byteLength / 1024).toFixed(0)} KiB, reference computed, stored as ${ref.slice(0, 19)}…`,
    );
  }
  return { stored, references };
}
