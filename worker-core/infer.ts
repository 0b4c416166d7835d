import type { ModelOutput, ModelPayload, ModelTimings, TensorInput } from '../protocol/index.js';
import {
  latencySummary,
  materializeTensor,
  summarizeTensor,
  type TensorData,
  tensorBytes,
} from '../tensors/index.js';
import { timedRuns } from './timed-runs.js';

/** What both onnxruntime-node and onnxruntime-web sessions offer (onnxruntime-common's API). */
export interface InferenceSessionLike<Feed> {
  run(
    feeds: Record<string, Feed>,
  ): Promise<Record<string, { type: string; dims: readonly number[]; data: unknown }>>;
}

export interface InferenceSetup<Feed> {
  session: InferenceSessionLike<Feed>;
  /** `new ort.Tensor(input.type, data, input.dims)` of the runtime in use. */
  tensor: (input: TensorInput, data: TensorData) => Feed;
  /** e.g. `onnxruntime-web 1.30.0` */
  runtime: string;
  loadTimings: Pick<ModelTimings, 'fetchMs' | 'sessionCreateMs'>;
  sha256: (bytes: Uint8Array) => string | Promise<string>;
}

/**
 * Runs a model task's inference on a created session: seeded or literal inputs, a first run and
 * `runs` timed runs, outputs summarized (values when small, always hash and statistics).
 */
export async function runInference<Feed>(
  setup: InferenceSetup<Feed>,
  payload: ModelPayload,
  signal: AbortSignal,
): Promise<ModelOutput> {
  const feeds: Record<string, Feed> = {};
  for (const [name, input] of Object.entries(payload.inputs)) {
    feeds[name] = setup.tensor(input, materializeTensor(input));
  }
  const { last, firstRunMs, samples, totalMs } = await timedRuns(
    () => setup.session.run(feeds),
    payload.runs,
    signal,
  );
  const output: ModelOutput = {
    kind: 'model',
    executionProvider: payload.executionProvider,
    runtime: setup.runtime,
    timings: { ...setup.loadTimings, firstRunMs, ...latencySummary(samples, totalMs) },
    outputs: {},
  };
  for (const [name, tensor] of Object.entries(last)) {
    const data = tensor.data as TensorData;
    const sha256 = await setup.sha256(tensorBytes(data));
    output.outputs[name] = summarizeTensor(
      tensor.type,
      tensor.dims,
      data,
      sha256,
      payload.maxOutputElements,
    );
  }
  return output;
}
