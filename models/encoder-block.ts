import { sampleLayers } from './layers.js';
import { attribute, type GraphBuilder } from './onnx-builder.js';
import type { SeededWeights } from './weights.js';

export interface EncoderSizes {
  sequence: number;
  modelDim: number;
  feedForwardDim: number;
}

/** What `encoderBlock` computes, for the models' descriptions. */
export function encoderBlockDescription({ modelDim, feedForwardDim }: EncoderSizes): string {
  return (
    'post-norm transformer encoder block: single-head self-attention (Q, K, V projections, ' +
    'softmax(QKᵀ/√d)·V, output projection) + residual + LayerNormalization, then feed-forward ' +
    `${modelDim}→${feedForwardDim}→${modelDim} with GELU + residual + LayerNormalization`
  );
}

/**
 * Adds one post-norm transformer encoder block on `x` [1, sequence, modelDim]; its
 * initializers are named `<prefix>attention.query.weight` and so on. Returns its output,
 * named `outputName` when given.
 */
export function encoderBlock(
  g: GraphBuilder,
  weights: SeededWeights,
  x: string,
  { modelDim, feedForwardDim }: EncoderSizes,
  prefix = '',
  outputName?: string,
): string {
  const { linear, layerNorm, gelu } = sampleLayers(g, weights);
  const query = linear(x, `${prefix}attention.query`, modelDim, modelDim);
  const key = linear(x, `${prefix}attention.key`, modelDim, modelDim);
  const value = linear(x, `${prefix}attention.value`, modelDim, modelDim);
  const keyTransposed = g.op('Transpose', [key], { perm: attribute.ints([0, 2, 1]) });
  const scores = g.op('Mul', [
    g.op('MatMul', [query, keyTransposed]),
    g.scalar(`${prefix}attention.scale`, 1 / Math.sqrt(modelDim)),
  ]);
  const attentionWeights = g.op('Softmax', [scores], { axis: attribute.int(-1) });
  const attended = g.op('MatMul', [attentionWeights, value]);
  const attention = linear(attended, `${prefix}attention.output`, modelDim, modelDim);
  const normalized = layerNorm(g.op('Add', [x, attention]), `${prefix}attention.norm`, modelDim);

  const hidden = gelu(
    linear(normalized, `${prefix}feed_forward.in`, modelDim, feedForwardDim),
    `${prefix}gelu`,
  );
  const feedForward = linear(hidden, `${prefix}feed_forward.out`, feedForwardDim, modelDim);
  return layerNorm(
    g.op('Add', [normalized, feedForward]),
    `${prefix}feed_forward.norm`,
    modelDim,
    outputName,
  );
}
