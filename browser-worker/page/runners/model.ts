import type {
  Assignment,
  BrowserCapabilities,
  TaskResult,
  TensorData,
  TensorInput,
} from '../../../protocol/index.js';
import { errorText } from '../../../worker-core/error-text.js';
import { runInference, type TaskRunner } from '../../../worker-core/index.js';
import type { ArtifactFetcher } from '../artifacts.js';
import { elapsed } from '../elapsed.js';
import { sha256Hex } from '../sha256.js';
import {
  CPU_IS_NODE,
  createFailure,
  createSession,
  loadOrt,
  type Ort,
  runtimeName,
  type Session,
} from './ort-web.js';

type ModelAssignment = Extract<Assignment, { kind: 'model' }>;

/** ONNX inference with onnxruntime-web on the wasm, webgpu or webnn execution provider. */
export function modelRunner(
  artifacts: ArtifactFetcher,
  capabilities: BrowserCapabilities,
): TaskRunner<ModelAssignment> {
  return {
    async run({ payload }, signal) {
      const started = performance.now();
      const ended = (status: TaskResult['status'], error: string): TaskResult => ({
        status,
        durationMs: elapsed(started),
        error,
      });
      if (payload.executionProvider === 'cpu') return ended('unsupported', CPU_IS_NODE);
      let ort: Ort;
      try {
        ort = await loadOrt();
      } catch (error) {
        return ended('failed', `cannot load onnxruntime-web: ${errorText(error)}`);
      }
      let fetched: Awaited<ReturnType<ArtifactFetcher['get']>>;
      try {
        fetched = await artifacts.get(payload.model);
      } catch (error) {
        return ended('failed', `cannot fetch the model: ${errorText(error)}`);
      }
      const createStarted = performance.now();
      let session: Session;
      try {
        session = await createSession(ort, fetched.bytes, payload);
      } catch (error) {
        const text = errorText(error);
        return ended(
          createFailure(text, payload, capabilities),
          `cannot create a session: ${text}`,
        );
      }
      const sessionCreateMs = elapsed(createStarted);
      try {
        const setup = {
          session,
          tensor: (input: TensorInput, data: TensorData) =>
            new ort.Tensor(input.type, data, input.dims),
          runtime: runtimeName(ort),
          loadTimings: { fetchMs: fetched.fetchMs, sessionCreateMs },
          sha256: sha256Hex,
        };
        const output = await runInference(setup, payload, signal);
        return { status: 'succeeded', durationMs: elapsed(started), output };
      } catch (error) {
        return ended('failed', `inference failed: ${errorText(error)}`);
      } finally {
        await session.release();
      }
    },
  };
}
