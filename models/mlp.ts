import { sampleLayers } from './layers.js';
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
  const g = new GraphBuilder();
  const { gemm } = sampleLayers(g, seededWeights(seed));
  const fc1 = gemm(g.input('x', [batch, input]), 'fc1', input, hidden);
  const fc2 = gemm(g.op('Relu', [fc1]), 'fc2', hidden, classes);
  g.op('Softmax', [fc2], {}, 'probabilities');
  g.output('probabilities', [batch, classes]);
  return finishSampleModel(
    g,
    'mlp',
    `Two-layer perceptron: x [${batch}, ${input}] → Gemm(${input}→${hidden}) → Relu → Gemm(${hidden}→${classes}) → Softmax.`,
    { x: seededInput([batch, input], seed) },
  );
}
