import { GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const MLP_SIZES = { input: 64, hidden: 128, classes: 10 } as const;

/** x [1, 64] → Gemm(64→128) → Relu → Gemm(128→10) → Softmax → probabilities [1, 10]. */
export function mlp(seed: number): SampleModel {
  const { input, hidden, classes } = MLP_SIZES;
  const weights = seededWeights(seed);
  const g = new GraphBuilder();
  const x = g.input('x', [1, input]);
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
  g.output('probabilities', [1, classes]);
  return finishSampleModel(
    g,
    'mlp',
    `Two-layer perceptron: x [1, ${input}] → Gemm(${input}→${hidden}) → Relu → Gemm(${hidden}→${classes}) → Softmax.`,
    { x: seededInput([1, input], seed) },
  );
}
