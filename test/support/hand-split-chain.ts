import { GraphBuilder } from '../../models/onnx-builder.js';
import { seededWeights } from '../../models/weights.js';
import type {
  ArtifactRef,
  ExecutionProvider,
  TaskSpecInput,
  TaskView,
  TensorInput,
} from '../../protocol/index.js';
import { materializeTensor } from '../../tensors/index.js';

const INPUT = 16;
const HIDDEN = 32;
const CLASSES = 8;

/**
 * A model cut by hand into two stages: x [1, 16] → Gemm → Relu → h [1, 32] (stage 0), then
 * h → Gemm → Softmax → y [1, 8] (stage 1); and the same computation as one model. The weights
 * come from one seeded stream in the same order, so the chain computes what the whole does.
 */
export function twoStageChain(seed: number): {
  stages: [Uint8Array, Uint8Array];
  whole: Uint8Array;
} {
  const build = (parts: { first: boolean; second: boolean }) => {
    const weights = seededWeights(seed);
    const w1 = weights.matrix(INPUT, HIDDEN);
    const b1 = weights.bias(HIDDEN);
    const w2 = weights.matrix(HIDDEN, CLASSES);
    const b2 = weights.bias(CLASSES);
    const g = new GraphBuilder();
    let hidden = 'h';
    if (parts.first) {
      const x = g.input('x', [1, INPUT]);
      const fc1 = g.op('Gemm', [x, g.initializer('w1', w1), g.initializer('b1', b1)]);
      hidden = g.op('Relu', [fc1], {}, 'h');
    } else g.input('h', [1, HIDDEN]);
    if (parts.second) {
      const fc2 = g.op('Gemm', [hidden, g.initializer('w2', w2), g.initializer('b2', b2)]);
      g.op('Softmax', [fc2], {}, 'y');
      g.output('y', [1, CLASSES]);
    } else g.output('h', [1, HIDDEN]);
    return g.serialize('two-stage-chain', 'A two-layer perceptron, whole or as one of two stages.');
  };
  return {
    stages: [build({ first: true, second: false }), build({ first: false, second: true })],
    whole: build({ first: true, second: true }),
  };
}

/** The input of micro-batch `microBatch`: seeded, so every worker makes the same values. */
export function chainInput(microBatch: number): TensorInput {
  return { type: 'float32', dims: [1, INPUT], seed: 1_000 + microBatch };
}

/**
 * The shard-stage tasks of `microBatches` micro-batches through the chain, as a DAG: stage 1
 * of micro-batch b reads stage 0's `h` of micro-batch b. Refs `s0-b<b>` and `s1-b<b>`.
 */
export function chainTasks(
  models: readonly [ArtifactRef, ArtifactRef],
  options: {
    run: string;
    microBatches: number;
    executionProvider: ExecutionProvider;
    /** Micro-batches whose stages upload their outputs over HTTP rather than in their results. */
    uploaded?: (microBatch: number) => boolean;
  },
): TaskSpecInput[] {
  const { run, executionProvider, uploaded } = options;
  return Array.from({ length: options.microBatches }, (_, b): TaskSpecInput[] => {
    const common = {
      run,
      executionProvider,
      ...(uploaded?.(b) === true ? { maxInlineBytes: 0 } : {}),
    };
    return [
      {
        kind: 'shard-stage',
        ref: `s0-b${b}`,
        retry: { maxRetries: 0 },
        payload: {
          ...common,
          stage: 0,
          microBatch: b,
          model: models[0],
          costFlops: 2 * INPUT * HIDDEN,
          inputs: { x: { from: 'value', tensor: chainInput(b) } },
          outputs: [{ name: 'h', type: 'float32', dims: [1, HIDDEN] }],
        },
      },
      {
        kind: 'shard-stage',
        ref: `s1-b${b}`,
        retry: { maxRetries: 0 },
        dependsOn: [`s0-b${b}`],
        payload: {
          ...common,
          stage: 1,
          microBatch: b,
          model: models[1],
          inputs: { h: { from: 'dependency', dependency: 0, output: 'h' } },
          outputs: [{ name: 'y', type: 'float32', dims: [1, CLASSES] }],
        },
      },
    ];
  }).flat();
}

/** The whole model's `y` for micro-batch `microBatch` on onnxruntime-node's CPU provider. */
export async function wholeOutput(whole: Uint8Array, microBatch: number): Promise<Float32Array> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(whole, { executionProviders: ['cpu'] });
  try {
    const input = chainInput(microBatch);
    const feeds = { x: new ort.Tensor('float32', materializeTensor(input), input.dims) };
    const { y } = await session.run(feeds);
    return y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** The shard-stage output of a task that succeeded; throws naming what it has instead. */
export function stageOutputOf(view: TaskView | undefined) {
  const output = view?.result?.output;
  if (view?.state !== 'succeeded' || output?.kind !== 'shard-stage') {
    throw new Error(`expected a succeeded shard-stage task, got ${JSON.stringify(view)}`);
  }
  return output;
}

/** Downloads an artifact, as a worker does (the worker token may read artifacts). */
export async function fetchActivation(
  coordinatorUrl: string,
  token: string,
  ref: ArtifactRef,
): Promise<Float32Array> {
  const response = await fetch(`${coordinatorUrl}/api/artifacts/${ref}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`GET ${ref}: ${response.status} ${await response.text()}`);
  return new Float32Array(await response.arrayBuffer());
}
