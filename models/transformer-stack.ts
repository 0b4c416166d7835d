import { encoderBlock, encoderBlockDescription } from './encoder-block.js';
import { GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const BLOCKS = 10;
const SIZES = { sequence: 16, modelDim: 256, feedForwardDim: 1024 };
const DIMS = [1, SIZES.sequence, SIZES.modelDim];

const DESCRIPTION =
  `${BLOCKS} stacked transformer encoder blocks on x [${DIMS.join(', ')}], about 31 MB of ` +
  `float32 weights: a model worth splitting across workers. Each block is a ` +
  `${encoderBlockDescription(SIZES)}; block i's initializers are named 'block<i>.…'.`;

export function transformerStack(seed: number): SampleModel {
  const g = new GraphBuilder();
  const weights = seededWeights(seed);
  let hidden = g.input('x', DIMS);
  for (let block = 0; block < BLOCKS; block++) {
    const last = block === BLOCKS - 1;
    hidden = encoderBlock(
      g,
      weights,
      hidden,
      SIZES,
      `block${block}.`,
      last ? 'encoded' : undefined,
    );
  }
  g.output('encoded', DIMS);
  return finishSampleModel(g, 'transformer-stack', DESCRIPTION, { x: seededInput(DIMS, seed) });
}
