import { encoderBlock, encoderBlockDescription } from './encoder-block.js';
import { GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const BLOCKS = 10;
const MODEL_SIZES = { modelDim: 256, feedForwardDim: 1024 };

export interface TransformerStackSizes {
  /** Positions of `x`: the work of one run grows with it, the weights do not. */
  sequence: number;
}

const STACK_SIZES: TransformerStackSizes = { sequence: 16 };

/**
 * Ten stacked transformer encoder blocks on x [1, 16, 256] by default; another `sequence`
 * gives the same weights more work a run (a benchmark's longer micro-batches, say).
 */
export function transformerStack(
  seed: number,
  sizes: TransformerStackSizes = STACK_SIZES,
): SampleModel {
  const blockSizes = { ...MODEL_SIZES, sequence: sizes.sequence };
  const dims = [1, sizes.sequence, MODEL_SIZES.modelDim];
  const g = new GraphBuilder();
  const weights = seededWeights(seed);
  let hidden = g.input('x', dims);
  for (let block = 0; block < BLOCKS; block++) {
    const last = block === BLOCKS - 1;
    hidden = encoderBlock(
      g,
      weights,
      hidden,
      blockSizes,
      `block${block}.`,
      last ? 'encoded' : undefined,
    );
  }
  g.output('encoded', dims);
  const description =
    `${BLOCKS} stacked transformer encoder blocks on x [${dims.join(', ')}], about 31 MB of ` +
    `float32 weights: a model worth splitting across workers. Each block is a ` +
    `${encoderBlockDescription(blockSizes)}; block i's initializers are named 'block<i>.…'.`;
  return finishSampleModel(g, 'transformer-stack', description, { x: seededInput(dims, seed) });
}
