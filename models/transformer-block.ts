import { attribute, GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const SEQUENCE = 16;
const MODEL_DIM = 64;
const FEED_FORWARD_DIM = 256;

const DESCRIPTION =
  `Post-norm transformer encoder block on x [1, ${SEQUENCE}, ${MODEL_DIM}]: single-head ` +
  'self-attention (Q, K, V projections, softmax(QKᵀ/√d)·V, output projection) + residual + ' +
  `LayerNormalization, then feed-forward ${MODEL_DIM}→${FEED_FORWARD_DIM}→${MODEL_DIM} with ` +
  'GELU + residual + LayerNormalization. Opset 17 has no Gelu op, so GELU is built from ' +
  'primitives: 0.5·x·(1 + Erf(x/√2)) with Div, Erf, Add and Mul.';

export function transformerBlock(seed: number): SampleModel {
  const weights = seededWeights(seed);
  const g = new GraphBuilder();
  const linear = (input: string, name: string, inWidth: number, outWidth: number) =>
    g.op('Add', [
      g.op('MatMul', [input, g.initializer(`${name}.weight`, weights.matrix(inWidth, outWidth))]),
      g.initializer(`${name}.bias`, weights.bias(outWidth)),
    ]);
  const layerNorm = (input: string, name: string, outputName?: string) =>
    g.op(
      'LayerNormalization',
      [
        input,
        g.initializer(`${name}.scale`, weights.constant(MODEL_DIM, 1)),
        g.initializer(`${name}.bias`, weights.constant(MODEL_DIM, 0)),
      ],
      { axis: attribute.int(-1), epsilon: attribute.float(1e-5) },
      outputName,
    );
  const gelu = (input: string) => {
    const erf = g.op('Erf', [g.op('Div', [input, g.scalar('gelu.sqrt2', Math.SQRT2)])]);
    const onePlusErf = g.op('Add', [erf, g.scalar('gelu.one', 1)]);
    return g.op('Mul', [g.op('Mul', [input, onePlusErf]), g.scalar('gelu.half', 0.5)]);
  };

  const x = g.input('x', [1, SEQUENCE, MODEL_DIM]);
  const query = linear(x, 'attention.query', MODEL_DIM, MODEL_DIM);
  const key = linear(x, 'attention.key', MODEL_DIM, MODEL_DIM);
  const value = linear(x, 'attention.value', MODEL_DIM, MODEL_DIM);
  const keyTransposed = g.op('Transpose', [key], { perm: attribute.ints([0, 2, 1]) });
  const scores = g.op('Mul', [
    g.op('MatMul', [query, keyTransposed]),
    g.scalar('attention.scale', 1 / Math.sqrt(MODEL_DIM)),
  ]);
  const attentionWeights = g.op('Softmax', [scores], { axis: attribute.int(-1) });
  const attended = g.op('MatMul', [attentionWeights, value]);
  const attention = linear(attended, 'attention.output', MODEL_DIM, MODEL_DIM);
  const normalized = layerNorm(g.op('Add', [x, attention]), 'attention.norm');

  const hidden = gelu(linear(normalized, 'feed_forward.in', MODEL_DIM, FEED_FORWARD_DIM));
  const feedForward = linear(hidden, 'feed_forward.out', FEED_FORWARD_DIM, MODEL_DIM);
  layerNorm(g.op('Add', [normalized, feedForward]), 'feed_forward.norm', 'encoded');
  g.output('encoded', [1, SEQUENCE, MODEL_DIM]);
  return finishSampleModel(g, 'transformer-block', DESCRIPTION, {
    x: seededInput([1, SEQUENCE, MODEL_DIM], seed),
  });
}
