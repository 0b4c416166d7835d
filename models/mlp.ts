import { GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

export interface MlpSizes {
  /** Rows of `x`: inputs run at once. */
  batch: number;
  input: number;
  hidden: number;
  classes: number;
}

const MLP_SIZES: MlpSizes = { batch: 1, input: 64, hidden: 128, classes: 10 };

/**
 * x [1, 64] → Gemm(64→128) → Relu → Gemm(128→10) → Softmax → probabilities [1, 10] by
 * default; other `sizes` give the same graph at another scale (a benchmark's compute-bound
 * model, say).
 */
export function mlp(seed: number, sizes: MlpSizes = MLP_SIZES): SampleModel {
  const { batch, input, hidden, classes } = sizes;
  const weights = seededWeights(seed);
  const g = new GraphBuilder();
  const x = g.input('x', [batch, input]);
  const fc1 = g.op('Gemm', [
    x,
    g.initializer('fc1.weight', weights.matrix(input, hidden)),
    g.initializer('fc1.bias', weights.bias(hidden)),
  ]);
  const fc2 = g.op('Gemm', [
    g.op('Relu', [fc1]),
    g.initializer('fc2.weight', weights.matrix(hidden, classes)),
    g.initializer('fc2.bias', weights.bias(classes)),
  ]);
  g.op('Softmax', [fc2], {}, 'probabilities');
  g.output('probabilities', [batch, classes]);
  return finishSampleModel(
    g,
    'mlp',
    `Two-layer perceptron: x [${batch}, ${input}] → Gemm(${input}→${hidden}) → Relu → Gemm(${hidden}→${classes}) → Softmax.`,
    { x: seededInput([batch, input], seed) },
  );
}
