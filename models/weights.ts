import { elementCount } from '../protocol/index.js';
import { seededRandom } from '../tensors/index.js';
import type { FloatTensor } from './onnx-builder.js';

/**
 * Deterministic weights: every tensor is drawn in turn from one seeded stream, so a model's
 * weights depend only on its seed and the order its builder asks for them.
 */
export function seededWeights(seed: number) {
  const random = seededRandom(seed);
  const uniform = (dims: number[], limit: number): FloatTensor => {
    // A plain loop: Float32Array.from with a callback is about 5× slower on large weights.
    const data = new Float32Array(elementCount(dims));
    for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * limit;
    return { dims, data };
  };
  /** Xavier (Glorot) uniform: keeps activations in a range where float32 errors stay small. */
  const xavier = (dims: number[], fanIn: number, fanOut: number) =>
    uniform(dims, Math.sqrt(6 / (fanIn + fanOut)));
  return {
    /** A [rows, columns] matrix for MatMul or Gemm (input width × output width). */
    matrix: (rows: number, columns: number) => xavier([rows, columns], rows, columns),
    /** A Conv kernel [out channels, in channels, height, width]. */
    convKernel: (outChannels: number, inChannels: number, height: number, width: number) =>
      xavier(
        [outChannels, inChannels, height, width],
        inChannels * height * width,
        outChannels * height * width,
      ),
    /** Small non-zero biases, so that adding them is part of what a comparison checks. */
    bias: (length: number) => uniform([length], 0.1),
    constant: (length: number, value: number): FloatTensor => ({
      dims: [length],
      data: new Float32Array(length).fill(value),
    }),
  };
}

export type SeededWeights = ReturnType<typeof seededWeights>;
