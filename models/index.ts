export {
  buildSampleModel,
  SAMPLE_MODEL_NAMES,
  SAMPLE_MODELS,
  type SampleModelName,
} from './catalog.js';
export { cnn } from './cnn.js';
export {
  type Comparison,
  compareOutputs,
  DEFAULT_TOLERANCES,
  type Tolerance,
} from './compare.js';
export { type MlpSizes, mlp } from './mlp.js';
export type { FloatTensor } from './onnx-builder.js';
export {
  type ReferenceOutput,
  type ReferenceOutputs,
  referenceOutputs,
  referenceRuns,
} from './reference.js';
export type { SampleModel, SampleModelBuilder, TestModel } from './sample-model.js';
export { transformerBlock } from './transformer-block.js';
export { type TransformerStackSizes, transformerStack } from './transformer-stack.js';
export { twoTower } from './two-tower.js';
export { loadUserModel } from './user-model.js';
export { writeSampleModels } from './write.js';
