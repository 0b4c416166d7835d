import type {
  Assignment,
  BrowserCapabilities,
  TaskResult,
  TensorInput,
} from '../../../protocol/index.js';
import type { TensorData } from '../../../tensors/index.js';
import { errorText, runInference, type TaskRunner } from '../../../worker-core/index.js';
import type { ArtifactFetcher } from '../artifacts.js';
import { elapsed } from '../elapsed.js';
import { sha256Hex } from '../sha256.js';
import { ortFor, type Session, webRuntime } from './ort-web.js';

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
      const loaded = await ortFor(payload.executionProvider, started);
      if ('result' in loaded) return loaded.result;
      const { ort } = loaded;
      const web = webRuntime(ort, payload, capabilities);
      let fetched: Awaited<ReturnType<ArtifactFetcher['get']>>;
      try {
        fetched = await artifacts.get(payload.model);
      } catch (error) {
        return ended('failed', `cannot fetch the model: ${errorText(error)}`);
      }
      const createStarted = performance.now();
      let session: Session;
      try {
        session = await web.createSession(fetched.bytes);
      } catch (error) {
        const text = errorText(error);
        return ended(web.createFailure(text), `cannot create a session: ${text}`);
      }
      const sessionCreateMs = elapsed(createStarted);
      try {
        const setup = {
          session,
          tensor: (input: TensorInput, data: TensorData) =>
            new ort.Tensor(input.type, data, input.dims),
          runtime: web.runtime,
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
