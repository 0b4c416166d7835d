import { expect, it } from 'vitest';
import { type FloatTensor, mlp, referenceOutputs } from '../../../models/index.js';
import { materializeTensor } from '../../../tensors/index.js';

/** y = x · W + b for a row vector x and W of shape [inputs, outputs], in float64. */
function dense(x: ArrayLike<number>, weight: FloatTensor, bias: FloatTensor): number[] {
  const [inputs, outputs] = weight.dims as [number, number];
  return Array.from({ length: outputs }, (_, j) => {
    let sum = bias.data[j]!;
    for (let i = 0; i < inputs; i++) sum += x[i]! * weight.data[i * outputs + j]!;
    return sum;
  });
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

it('matches a forward pass computed by hand from the same weights', async () => {
  const model = mlp(2024);
  const w = model.weights;
  const x = materializeTensor(model.inputs.x!) as Float32Array;
  const hidden = dense(x, w['fc1.weight']!, w['fc1.bias']!).map((v) => Math.max(0, v));
  const expected = softmax(dense(hidden, w['fc2.weight']!, w['fc2.bias']!));

  const { probabilities } = await referenceOutputs(model);
  expect(probabilities!.data).toHaveLength(10);
  probabilities!.data.forEach((p, i) => {
    expect(Math.abs(p - expected[i]!)).toBeLessThanOrEqual(1e-5);
  });
});
