/**
 * ML kernels written in plain JavaScript, computed in float32 (each step rounded as a float32
 * kernel rounds it) and in float64 as the reference: how far apart they end up depends on the
 * engine's Math.exp, Math.tanh and Math.sqrt, which V8 and SpiderMonkey implement differently.
 */

export type Precision = (x: number) => number;
const f32: Precision = Math.fround;
const f64: Precision = (x) => x;

function softmax(xs: Float64Array, r: Precision): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) max = Math.max(max, x);
  const out = new Float64Array(xs.length);
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    out[i] = r(Math.exp(r(xs[i]! - max)));
    sum = r(sum + out[i]!);
  }
  for (let i = 0; i < xs.length; i++) out[i] = r(out[i]! / sum);
  return out;
}

/** GELU as most models compute it: the tanh approximation. */
function gelu(xs: Float64Array, r: Precision): Float64Array {
  const c = r(Math.sqrt(2 / Math.PI));
  return xs.map((x) => {
    const inner = r(c * r(x + r(0.044715 * r(x * r(x * x)))));
    return r(r(0.5 * x) * r(1 + r(Math.tanh(inner))));
  });
}

function layerNorm(xs: Float64Array, r: Precision): Float64Array {
  let mean = 0;
  for (const x of xs) mean = r(mean + x);
  mean = r(mean / xs.length);
  let variance = 0;
  for (const x of xs) variance = r(variance + r(r(x - mean) * r(x - mean)));
  variance = r(variance / xs.length);
  const scale = r(1 / r(Math.sqrt(r(variance + 1e-5))));
  return xs.map((x) => r(r(x - mean) * scale));
}

function logSumExp(xs: Float64Array, r: Precision): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) max = Math.max(max, x);
  let sum = 0;
  for (const x of xs) sum = r(sum + r(Math.exp(r(x - max))));
  return Float64Array.of(r(max + r(Math.log(sum))));
}

export const KERNELS = { softmax, gelu, layerNorm, logSumExp } as const;
export type KernelName = keyof typeof KERNELS;

/** `size` inputs in [-8, 8) from a seeded generator (mulberry32), the same on every engine. */
export function inputs(size: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Float64Array.from({ length: size }, () => f32(next() * 16 - 8));
}

/** The largest difference between the float32 kernel and its float64 reference. */
export function maxError(kernel: KernelName, xs: Float64Array): number {
  const got = KERNELS[kernel](xs, f32);
  const want = KERNELS[kernel](xs, f64);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}
