import { encoderBlock, encoderBlockDescription } from './encoder-block.js';
import { GraphBuilder } from './onnx-builder.js';
import { finishSampleModel, type SampleModel, seededInput } from './sample-model.js';
import { seededWeights } from './weights.js';

const SIZES = { sequence: 16, modelDim: 64, feedForwardDim: 256 };
const DIMS = [1, SIZES.sequence, SIZES.modelDim];

const DESCRIPTION =
  `A ${encoderBlockDescription(SIZES)}, on x [${DIMS.join(', ')}]. Opset 17 has no Gelu op, so ` +
  'GELU is built from primitives: 0.5·x·(1 + Erf(x/√2)) with Div, Erf, Add and Mul.';

export function transformerBlock(seed: number): SampleModel {
  const g = new GraphBuilder();
  encoderBlock(g, seededWeights(seed), g.input('x', DIMS), SIZES, '', 'encoded');
  g.output('encoded', DIMS);
  return finishSampleModel(g, 'transformer-block', DESCRIPTION, { x: seededInput(DIMS, seed) });
}
