import { addBias, matmul, relu, softmax } from './kernels.js';

/** A deterministic pseudo-random generator (mulberry32), so weights are the same everywhere. */
export function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(length, random, scale = 1) {
  return Float32Array.from({ length }, () => (random() * 2 - 1) * scale);
}

/** A two-layer perceptron: softmax(relu(x W1 + b1) W2 + b2). */
export function createMlp({ inputs, hidden, outputs, seed }) {
  const random = seededRandom(seed);
  const w1 = randomTensor(inputs * hidden, random, 1 / Math.sqrt(inputs));
  const b1 = randomTensor(hidden, random, 0.1);
  const w2 = randomTensor(hidden * outputs, random, 1 / Math.sqrt(hidden));
  const b2 = randomTensor(outputs, random, 0.1);
  return (x, batch) => {
    const h = relu(addBias(matmul(x, w1, batch, inputs, hidden), b1, batch, hidden));
    return softmax(
      addBias(matmul(h, w2, batch, hidden, outputs), b2, batch, outputs),
      batch,
      outputs,
    );
  };
}
