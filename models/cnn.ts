import { sampleLayers } from './layers.js';
import { attribute, GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const CLASSES = 10;

/**
 * x [1, 3, 32, 32] → Conv(3→8, 3×3, pads 1) → Relu → MaxPool 2×2 → Conv(8→16, 3×3, pads 1)
 * → Relu → MaxPool 2×2 → Flatten → Gemm(16·8·8→10) → logits [1, 10].
 */
export function cnn(seed: number): SampleModel {
  const g = new GraphBuilder();
  const { convReluPool, gemm } = sampleLayers(g, seededWeights(seed));
  const x = g.input('x', [1, 3, 32, 32]);
  const features = convReluPool(convReluPool(x, 'conv1', 3, 8), 'conv2', 8, 16);
  const flat = g.op('Flatten', [features], { axis: attribute.int(1) });
  gemm(flat, 'fc', 16 * 8 * 8, CLASSES, 'logits');
  g.output('logits', [1, CLASSES]);
  return finishSampleModel(
    g,
    'cnn',
    'Small convolutional network: x [1, 3, 32, 32] → Conv(3→8, 3×3, pads 1) → Relu → MaxPool 2×2 → Conv(8→16, 3×3, pads 1) → Relu → MaxPool 2×2 → Flatten → Gemm(1024→10).',
    { x: seededInput([1, 3, 32, 32], seed) },
  );
}
