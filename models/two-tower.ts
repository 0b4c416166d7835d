import { encoderBlock, encoderBlockDescription } from './encoder-block.js';
import { sampleLayers } from './layers.js';
import { attribute, GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const IMAGE_DIMS = [1, 3, 32, 32];
/** Seeded int64 inputs are uniform in [0, 100): every token id has a row in the table. */
const VOCABULARY = 100;
const TEXT_SIZES = { sequence: 16, modelDim: 64, feedForwardDim: 256 };
const EMBEDDING = 64;
const JOINT = 16;

const DESCRIPTION =
  'Two towers joined at the end, for component sharding. Image tower: image [1, 3, 32, 32] → ' +
  '2 × (Conv 3×3 → Relu → MaxPool 2×2) → Flatten → Gemm(1024→64). Text tower: int64 token ids ' +
  `text [1, 16] → Gather from a ${VOCABULARY}×64 embedding table → ` +
  `${encoderBlockDescription(TEXT_SIZES)} → ReduceMean over the sequence → Gemm(64→64). ` +
  'Join: similarity [1, 1] = image embedding · text embedding, and joint [1, 16] = ' +
  'Gemm(128→16) of the two embeddings concatenated.';

export function twoTower(seed: number): SampleModel {
  const g = new GraphBuilder();
  const weights = seededWeights(seed);
  const { convReluPool, gemm } = sampleLayers(g, weights);

  const image = g.input('image', IMAGE_DIMS);
  const features = convReluPool(convReluPool(image, 'image.conv1', 3, 8), 'image.conv2', 8, 16);
  const flat = g.op('Flatten', [features], { axis: attribute.int(1) });
  const imageEmbedding = gemm(flat, 'image.projection', 16 * 8 * 8, EMBEDDING);

  const text = g.input('text', [1, TEXT_SIZES.sequence], 'int64');
  const table = g.initializer('text.embedding', weights.matrix(VOCABULARY, TEXT_SIZES.modelDim));
  const tokens = g.op('Gather', [table, text]);
  const encoded = encoderBlock(g, weights, tokens, TEXT_SIZES, 'text.');
  const pooled = g.op('ReduceMean', [encoded], {
    axes: attribute.ints([1]),
    keepdims: attribute.int(0),
  });
  const textEmbedding = gemm(pooled, 'text.projection', TEXT_SIZES.modelDim, EMBEDDING);

  const textColumn = g.op('Transpose', [textEmbedding], { perm: attribute.ints([1, 0]) });
  g.op('MatMul', [imageEmbedding, textColumn], {}, 'similarity');
  const both = g.op('Concat', [imageEmbedding, textEmbedding], { axis: attribute.int(1) });
  gemm(both, 'joint.projection', 2 * EMBEDDING, JOINT, 'joint');
  g.output('similarity', [1, 1]);
  g.output('joint', [1, JOINT]);
  return finishSampleModel(g, 'two-tower', DESCRIPTION, {
    image: seededInput(IMAGE_DIMS, seed),
    // Its own stream: the same seed as the image's would repeat its numbers.
    text: { type: 'int64', dims: [1, TEXT_SIZES.sequence], seed: seed + 2 },
  });
}
