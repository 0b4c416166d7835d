import { attribute, type GraphBuilder } from './onnx-builder.js';
import type { SeededWeights } from './weights.js';

/**
 * The layers the sample models are made of, each adding its nodes to `g` and drawing its
 * weights from `weights` in the order it names them. Initializers are named `<name>.<part>`.
 */
export function sampleLayers(g: GraphBuilder, weights: SeededWeights) {
  return {
    /** MatMul by a [inWidth, outWidth] weight, then Add of a bias. */
    linear(input: string, name: string, inWidth: number, outWidth: number): string {
      return g.op('Add', [
        g.op('MatMul', [input, g.initializer(`${name}.weight`, weights.matrix(inWidth, outWidth))]),
        g.initializer(`${name}.bias`, weights.bias(outWidth)),
      ]);
    },

    /** Gemm (2-D input) by a [inWidth, outWidth] weight plus a bias. */
    gemm(input: string, name: string, inWidth: number, outWidth: number, outputName?: string) {
      return g.op(
        'Gemm',
        [
          input,
          g.initializer(`${name}.weight`, weights.matrix(inWidth, outWidth)),
          g.initializer(`${name}.bias`, weights.bias(outWidth)),
        ],
        {},
        outputName,
      );
    },

    /** LayerNormalization over the last axis, scale 1 and bias 0. */
    layerNorm(input: string, name: string, width: number, outputName?: string): string {
      return g.op(
        'LayerNormalization',
        [
          input,
          g.initializer(`${name}.scale`, weights.constant(width, 1)),
          g.initializer(`${name}.bias`, weights.constant(width, 0)),
        ],
        { axis: attribute.int(-1), epsilon: attribute.float(1e-5) },
        outputName,
      );
    },

    /**
     * GELU from primitives, 0.5·x·(1 + Erf(x/√2)) with Div, Erf, Add and Mul: opset 17 has no
     * Gelu op.
     */
    gelu(input: string, name: string): string {
      const erf = g.op('Erf', [g.op('Div', [input, g.scalar(`${name}.sqrt2`, Math.SQRT2)])]);
      const onePlusErf = g.op('Add', [erf, g.scalar(`${name}.one`, 1)]);
      return g.op('Mul', [g.op('Mul', [input, onePlusErf]), g.scalar(`${name}.half`, 0.5)]);
    },

    /** Conv 3×3 (pads 1) → Relu → MaxPool 2×2: halves the height and width. */
    convReluPool(input: string, name: string, inChannels: number, outChannels: number): string {
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
    },
  };
}
