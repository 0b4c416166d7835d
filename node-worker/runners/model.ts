import {
  type Assignment,
  latencySummary,
  type ModelOutput,
  materializeTensor,
  summarizeTensor,
  type TaskResult,
  tensorBytes,
} from '../../protocol/index.js';
import { type TaskRunner, timedRuns } from '../../worker-core/index.js';
import type { ArtifactCache } from '../artifact-cache.js';
import { sha256Hex } from '../artifact-cache.js';

type ModelAssignment = Extract<Assignment, { kind: 'model' }>;
type Ort = typeof import('onnxruntime-node');

let ortModule: Promise<Ort> | undefined;
/** onnxruntime-node loads a large native library: only when the first model task arrives. */
function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

const elapsed = (since: number) => performance.now() - since;

/** ONNX inference with onnxruntime-node's native CPU provider. */
export function modelRunner(artifacts: ArtifactCache): TaskRunner<ModelAssignment> {
  return {
    async run({ payload }, signal) {
      const started = performance.now();
      if (payload.executionProvider !== 'cpu') {
        return {
          status: 'unsupported',
          durationMs: 0,
          error: `a Node worker runs onnxruntime-node's 'cpu' provider, not '${payload.executionProvider}' (that one runs in browser workers)`,
        };
      }
      const ort = await loadOrt();
      let fetched: Awaited<ReturnType<ArtifactCache['get']>>;
      try {
        fetched = await artifacts.get(payload.model, signal);
      } catch (error) {
        return {
          status: 'failed',
          durationMs: elapsed(started),
          error: `cannot fetch the model: ${(error as Error).message}`,
        };
      }
      const { bytes, fetchMs } = fetched;
      let session: Awaited<ReturnType<Ort['InferenceSession']['create']>>;
      const createStarted = performance.now();
      try {
        session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
      } catch (error) {
        return {
          status: 'failed',
          durationMs: elapsed(started),
          error: `cannot load the model: ${(error as Error).message}`,
        };
      }
      const sessionCreateMs = elapsed(createStarted);
      try {
        const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
        for (const [name, input] of Object.entries(payload.inputs)) {
          feeds[name] = new ort.Tensor(input.type, materializeTensor(input), input.dims);
        }
        const {
          last: outputs,
          firstRunMs,
          samples,
          totalMs,
        } = await timedRuns(() => session.run(feeds), payload.runs, signal);
        const output: ModelOutput = {
          kind: 'model',
          executionProvider: 'cpu',
          runtime: `onnxruntime-node ${ort.env.versions.common}`,
          timings: {
            fetchMs,
            sessionCreateMs,
            firstRunMs,
            ...latencySummary(samples, totalMs),
          },
          outputs: {},
        };
        for (const [name, tensor] of Object.entries(outputs)) {
          const data = tensor.data as Float32Array | Int32Array | BigInt64Array;
          output.outputs[name] = summarizeTensor(
            tensor.type,
            tensor.dims,
            data,
            sha256Hex(tensorBytes(data)),
            payload.maxOutputElements,
          );
        }
        const result: TaskResult = { status: 'succeeded', durationMs: elapsed(started), output };
        return result;
      } catch (error) {
        return {
          status: 'failed',
          durationMs: elapsed(started),
          error: `inference failed: ${(error as Error).message}`,
        };
      } finally {
        await session.release();
      }
    },
  };
}
