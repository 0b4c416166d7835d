import { cnn } from './cnn.js';
import { mlp } from './mlp.js';
import type { SampleModel, SampleModelBuilder } from './sample-model.js';
import { transformerBlock } from './transformer-block.js';
import { transformerStack } from './transformer-stack.js';
import { twoTower } from './two-tower.js';

export const SAMPLE_MODELS = {
  mlp,
  cnn,
  'transformer-block': transformerBlock,
  'transformer-stack': transformerStack,
  'two-tower': twoTower,
} as const satisfies Record<string, SampleModelBuilder>;

export type SampleModelName = keyof typeof SAMPLE_MODELS;

export const SAMPLE_MODEL_NAMES = Object.keys(SAMPLE_MODELS) as SampleModelName[];

function isSampleModelName(name: string): name is SampleModelName {
  return Object.hasOwn(SAMPLE_MODELS, name);
}

/** Builds a sample model by name; the error lists the names there are. */
export function buildSampleModel(name: string, seed: number): SampleModel {
  if (!isSampleModelName(name)) {
    throw new Error(`no sample model '${name}'; there are: ${SAMPLE_MODEL_NAMES.join(', ')}`);
  }
  return SAMPLE_MODELS[name](seed);
}
