import { attribute, GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const CLASSES = 10;

/**
 * x [1, 3, 32, 32] → Conv(3→8, 3×3, pads 1) → Relu → MaxPool 2×2 → Conv(8→16, 3×3, pads 1)
 * → Relu → MaxPool 2×2 → Flatten → Gemm(16·8·8→10) → logits [1, 10].
 */
export function cnn(seed: number): SampleModel {
  const weights = seededWeights(seed);
  const g = new GraphBuilder();
  const convReluPool = (input: string, name: string, inChannels: number, outChannels: number) => {
    const conv = g.op(
      'Conv',
      [
        input,
        g.initializer(`${name}.weight`, weights.convKernel(outChannels, inChannels, 3, 3)),
        g.initializer(`${name}.bias`, weights.bias(outChannels)),
      ],
      { kernel_shape: attribute.ints([3, 3]), pads: attribute.ints([1, 1, 1, 1]) },
    );
    return g.op('MaxPool', [g.op('Relu', [conv])], {
      kernel_shape: attribute.ints([2, 2]),
      strides: attribute.ints([2, 2]),
    });
  };
  const x = g.input('x', [1, 3, 32, 32]);
  const features = convReluPool(convReluPool(x, 'conv1', 3, 8), 'conv2', 8, 16);
  const flat = g.op('Flatten', [features], { axis: attribute.int(1) });
  g.op(
    'Gemm',
    [
      flat,
      g.initializer('fc.weight', weights.matrix(16 * 8 * 8, CLASSES)),
      g.initializer('fc.bias', weights.bias(CLASSES)),
    ],
    {},
    'logits',
  );
  g.output('logits', [1, CLASSES]);
  return finishSampleModel(
    g,
    'cnn',
    'Small convolutional network: x [1, 3, 32, 32] → Conv(3→8, 3×3, pads 1) → Relu → MaxPool 2×2 → Conv(8→16, 3×3, pads 1) → Relu → MaxPool 2×2 → Flatten → Gemm(1024→10).',
    { x: seededInput([1, 3, 32, 32], seed) },
  );
}
