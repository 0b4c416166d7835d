import type { Assignment, TaskResult, TensorInput } from '../../protocol/index.js';
import type { TensorData } from '../../tensors/index.js';
import { runInference, type TaskRunner } from '../../worker-core/index.js';
import { type ArtifactCache, sha256Hex } from '../artifact-cache.js';
import { loadOrt, nodeProviderProblem, type Ort } from './ort-node.js';

type ModelAssignment = Extract<Assignment, { kind: 'model' }>;

const elapsed = (since: number) => performance.now() - since;

/** ONNX inference with onnxruntime-node's native CPU provider. */
export function modelRunner(artifacts: ArtifactCache): TaskRunner<ModelAssignment> {
  return {
    async run({ payload }, signal) {
      const started = performance.now();
      const providerProblem = nodeProviderProblem(payload.executionProvider);
      if (providerProblem !== undefined) {
        return { status: 'unsupported', durationMs: 0, error: providerProblem };
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
        const setup = {
          session,
          tensor: (input: TensorInput, data: TensorData) =>
            new ort.Tensor(input.type, data, input.dims),
          runtime: `onnxruntime-node ${ort.env.versions.common}`,
          loadTimings: { fetchMs, sessionCreateMs },
          sha256: sha256Hex,
        };
        const output = await runInference(setup, payload, signal);
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
