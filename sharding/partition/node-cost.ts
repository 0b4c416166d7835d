import { elementCount } from '../../protocol/index.js';
import type { GraphNode } from './model-graph.js';

/** Dimensions of a value or initializer, undefined when unknown. */
export type DimsOf = (name: string) => readonly number[] | undefined;

/** Ops that only relabel or describe a tensor: free. */
const FREE = new Set([
  'Reshape',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Identity',
  'Shape',
  'Size',
  'Constant',
  'Dropout',
]);

/** Operations per output element beyond one, for ops that cost more than one per element. */
const PER_ELEMENT: Readonly<Record<string, number>> = {
  // Softmax: max, subtract, exp, sum, divide.
  Softmax: 5,
  LogSoftmax: 5,
  // Mean, variance (subtract, square, sum), normalize (subtract, divide, scale, shift).
  LayerNormalization: 8,
  GroupNormalization: 8,
  InstanceNormalization: 8,
  BatchNormalization: 4,
  // Transcendental functions cost a handful of multiply-adds each.
  Erf: 4,
  Exp: 4,
  Log: 4,
  Tanh: 4,
  Sigmoid: 4,
  Gelu: 8,
  Pow: 4,
  Sqrt: 2,
};

/** Ops that read every input element once and write fewer. */
const REDUCTIONS = new Set([
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceSumSquare',
  'ReduceLogSumExp',
  'ArgMax',
  'ArgMin',
  'GlobalAveragePool',
  'GlobalMaxPool',
]);

function intsAttribute(node: GraphNode, name: string): number[] | undefined {
  const attribute = node.proto.attribute?.find((a) => a.name === name);
  return attribute?.ints?.map(Number);
}

function intAttribute(node: GraphNode, name: string): number | undefined {
  const attribute = node.proto.attribute?.find((a) => a.name === name);
  return attribute?.i == null ? undefined : Number(attribute.i);
}

const product = (dims: readonly number[]) => elementCount(dims);

/**
 * Estimated floating-point operations of one run of `node`, from the shapes of what it reads
 * and writes: 2·M·K·N for a matrix product (batch dimensions included), 2·(output elements)·
 * (input channels per group)·(kernel size) for a convolution, output elements × kernel size
 * for pooling, input elements for a reduction, a few per element for softmax, normalization
 * and transcendental functions, none for reshapes, and one per output element for the rest
 * (elementwise arithmetic, and copies such as Transpose, Concat or Gather).
 */
export function estimateFlops(node: GraphNode, dimsOf: DimsOf): number {
  if (FREE.has(node.opType)) return 0;
  const input = (i: number) => {
    const name = node.proto.input?.[i];
    return name ? dimsOf(name) : undefined;
  };
  const outputs = node.outputs.map((name) => product(dimsOf(name) ?? []));
  const out = outputs[0] ?? 0;
  const a = input(0);
  const b = input(1);
  switch (node.opType) {
    case 'MatMul':
    case 'MatMulInteger': {
      const inner = a === undefined || a.length === 0 ? 1 : a[a.length - 1]!;
      return 2 * out * inner;
    }
    case 'Gemm': {
      const inner = a === undefined ? 1 : intAttribute(node, 'transA') ? a[0]! : a[1]!;
      return 2 * out * (inner ?? 1) + (input(2) === undefined ? 0 : out);
    }
    case 'Conv':
    case 'ConvInteger':
      return 2 * out * product(b?.slice(1) ?? []) + (input(2) === undefined ? 0 : out);
    case 'ConvTranspose':
      return 2 * product(a ?? []) * product(b?.slice(1) ?? []);
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool':
      return out * product(intsAttribute(node, 'kernel_shape') ?? []);
  }
  if (REDUCTIONS.has(node.opType)) return product(a ?? []);
  return (PER_ELEMENT[node.opType] ?? 1) * outputs.reduce((sum, n) => sum + n, 0);
}

/**
 * What handing one activation byte on costs a stage, at each end of a cut, in FLOPs of compute
 * it could have done instead. Fitted to the periods of transformer-stack's stages on Firefox
 * (wasm, `npm run bench -- --only sharding`): a stage's time per micro-batch grew by about as
 * much for each byte it read or handed on (decoded and checked, or hashed and encoded) as for
 * 150 FLOPs it computed.
 */
export const HANDLING_FLOPS_PER_BYTE = 150;

/** What the stages are balanced by: a cost per node, in `unit`. */
export interface NodeCosts {
  /** The FLOP estimate of each node, in graph order. */
  flops: number[];
  /** The cost balanced, in graph order: `flops`, or measured times where there are some. */
  cost: number[];
  unit: 'flops' | 'ms';
  /** What a stage pays per activation byte it reads from or hands to another, in `unit`. */
  perByte: number;
}

/**
 * Each node's cost: its FLOP estimate, or with `timesMs` (measured milliseconds by node name,
 * from earlier runs) its measured time. Nodes without a time then cost their FLOPs at the
 * rate the timed nodes ran (their total time over their total FLOPs), and so does a byte
 * handed on (`flopsPerByte`).
 */
export function nodeCosts(
  nodes: readonly GraphNode[],
  dimsOf: DimsOf,
  timesMs: Readonly<Record<string, number>> = {},
  flopsPerByte = HANDLING_FLOPS_PER_BYTE,
): NodeCosts {
  const flops = nodes.map((node) => estimateFlops(node, dimsOf));
  const timed = nodes.flatMap((node, i) =>
    Object.hasOwn(timesMs, node.name) ? [{ i, ms: timesMs[node.name]! }] : [],
  );
  if (timed.length === 0) {
    return { flops, cost: flops, unit: 'flops', perByte: flopsPerByte };
  }
  const timedFlops = timed.reduce((sum, { i }) => sum + flops[i]!, 0);
  const timedMs = timed.reduce((sum, { ms }) => sum + ms, 0);
  const msPerFlop = timedFlops > 0 ? timedMs / timedFlops : 0;
  const cost = flops.map((f) => f * msPerFlop);
  for (const { i, ms } of timed) cost[i] = ms;
  return { flops, cost, unit: 'ms', perByte: flopsPerByte * msPerFlop };
}
