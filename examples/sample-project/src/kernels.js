// Dense float kernels on row-major Float32Array matrices: the building blocks of the MLP.

export function matmul(a, b, rows, inner, cols) {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const aik = a[i * inner + k];
      for (let j = 0; j < cols; j++) out[i * cols + j] += aik * b[k * cols + j];
    }
  }
  return out;
}

export function addBias(x, bias, rows, cols) {
  const out = new Float32Array(x);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] += bias[j];
  return out;
}

export const relu = (x) => x.map((v) => Math.max(v, 0));

/** GELU, tanh approximation, as ONNX's Gelu with approximate="tanh". */
export const gelu = (x) =>
  x.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));

/** Row-wise softmax, shifted by the row max so large logits do not overflow. */
export function softmax(x, rows, cols) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) {
    const row = x.subarray(i * cols, (i + 1) * cols);
    const max = Math.max(...row);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += out[i * cols + j] = Math.exp(row[j] - max);
    for (let j = 0; j < cols; j++) out[i * cols + j] /= sum;
  }
  return out;
}

export function layerNorm(x, rows, cols, epsilon = 1e-5) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) {
    const row = x.subarray(i * cols, (i + 1) * cols);
    const mean = row.reduce((s, v) => s + v, 0) / cols;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / cols;
    const scale = 1 / Math.sqrt(variance + epsilon);
    for (let j = 0; j < cols; j++) out[i * cols + j] = (row[j] - mean) * scale;
  }
  return out;
}
