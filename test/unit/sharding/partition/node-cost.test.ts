import pkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../../sharding/partition/index.js';
import { estimateFlops } from '../../../../sharding/partition/node-cost.js';

const { AttributeType } = pkg.onnx.AttributeProto;

function node(
  opType: string,
  inputs: string[],
  attribute: pkg.onnx.IAttributeProto[] = [],
): GraphNode {
  return {
    name: opType,
    opType,
    domain: '',
    inputs,
    outputs: ['out'],
    proto: { opType, input: inputs, output: ['out'], attribute },
  };
}

function flops(n: GraphNode, dims: Record<string, number[]>): number {
  return estimateFlops(n, (name) => dims[name]);
}

describe('the FLOP estimate of a node', () => {
  it('counts 2·M·K·N for a matrix product, batch dimensions included', () => {
    const dims = { a: [4, 16, 64], b: [64, 32], out: [4, 16, 32] };
    expect(flops(node('MatMul', ['a', 'b']), dims)).toBe(2 * 4 * 16 * 64 * 32);
  });

  it('counts a Gemm’s product by its transposed or plain input, and its bias', () => {
    const dims = { a: [64, 8], b: [64, 10], c: [10], out: [8, 10] };
    const transA = { name: 'transA', type: AttributeType.INT, i: 1 };
    expect(flops(node('Gemm', ['a', 'b', 'c'], [transA]), dims)).toBe(2 * 8 * 64 * 10 + 8 * 10);
    expect(flops(node('Gemm', ['a', 'b']), { ...dims, a: [8, 64] })).toBe(2 * 8 * 64 * 10);
  });

  it('counts a convolution by output elements × input channels × kernel size', () => {
    const dims = { x: [1, 3, 32, 32], w: [8, 3, 3, 3], b: [8], out: [1, 8, 32, 32] };
    const out = 8 * 32 * 32;
    expect(flops(node('Conv', ['x', 'w', 'b']), dims)).toBe(2 * out * 3 * 3 * 3 + out);
  });

  it('counts pooling by output elements × kernel size, a reduction by its input', () => {
    const kernel = { name: 'kernel_shape', type: AttributeType.INTS, ints: [2, 2] };
    const dims = { x: [1, 8, 32, 32], out: [1, 8, 16, 16] };
    expect(flops(node('MaxPool', ['x'], [kernel]), dims)).toBe(8 * 16 * 16 * 4);
    expect(flops(node('ReduceMean', ['x']), { x: [1, 16, 64], out: [1, 64] })).toBe(16 * 64);
  });

  it('counts a few per element for softmax, normalization and erf, one for arithmetic, none for a reshape', () => {
    const dims = { x: [2, 10], out: [2, 10] };
    expect(flops(node('Softmax', ['x']), dims)).toBe(5 * 20);
    expect(flops(node('LayerNormalization', ['x']), dims)).toBe(8 * 20);
    expect(flops(node('Erf', ['x']), dims)).toBe(4 * 20);
    expect(flops(node('Add', ['x', 'x']), dims)).toBe(20);
    expect(flops(node('Transpose', ['x']), dims)).toBe(20);
    expect(flops(node('Reshape', ['x']), dims)).toBe(0);
  });
});
