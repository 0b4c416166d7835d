import type {
  Assignment,
  BrowserCapabilities,
  ModelPayload,
  TaskResult,
  TensorData,
  TensorInput,
} from '../../../protocol/index.js';
import { runInference, type TaskRunner } from '../../../worker-core/index.js';
import type { ArtifactFetcher } from '../artifacts.js';
import { elapsed } from '../elapsed.js';
import { errorText } from '../../../worker-core/error-text.js';
import { sha256Hex } from '../sha256.js';

type ModelAssignment = Extract<Assignment, { kind: 'model' }>;
type Ort = typeof import('onnxruntime-web');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type Providers = NonNullable<
  Parameters<Ort['InferenceSession']['create']>[1]
>['executionProviders'];

/** Served by the coordinator beside its .wasm files, which onnxruntime-web loads on demand. */
const ORT_DIR = '/worker/ort/';

let ortModule: Promise<Ort> | undefined;
/** onnxruntime-web is large: it loads when the first model task arrives. */
function loadOrt(): Promise<Ort> {
  ortModule ??= (async () => {
    const base = new URL(ORT_DIR, location.origin).href;
    // A URL built at run time, so the bundler leaves this import to the browser.
    const ort: Ort = await import(`${base}ort.all.min.mjs`);
    ort.env.wasm.wasmPaths = base;
    ort.env.wasm.numThreads = crossOriginIsolated ? navigator.hardwareConcurrency : 1;
    return ort;
  })();
  ortModule.catch(() => {
    ortModule = undefined;
  });
  return ortModule;
}

/** Words in onnxruntime-web's errors when a backend cannot start here, as opposed to a bad model. */
const BACKEND_UNAVAILABLE =
  /adapter|not supported|no available backend|backend not found|webgpu is not|webnn is not/i;

/** What the capability probe found missing for this provider, if anything. */
function probedUnavailable(payload: ModelPayload, capabilities: BrowserCapabilities) {
  if (payload.executionProvider === 'webgpu' && !capabilities.webgpu.available) {
    return capabilities.webgpu.reason ?? 'no WebGPU adapter';
  }
  if (payload.executionProvider === 'webnn') {
    const device = capabilities.webnn.deviceTypes[payload.webnnDeviceType];
    if (!device.available) return device.reason ?? `no WebNN ${payload.webnnDeviceType} context`;
  }
  return undefined;
}

function providers(payload: ModelPayload): Providers {
  if (payload.executionProvider === 'webnn') {
    return [{ name: 'webnn', deviceType: payload.webnnDeviceType }];
  }
  return [payload.executionProvider];
}

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
      if (payload.executionProvider === 'cpu') {
        return ended(
          'unsupported',
          "'cpu' is onnxruntime-node's provider, run by Node workers; a browser runs 'wasm', 'webgpu' or 'webnn'",
        );
      }
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
        session = await ort.InferenceSession.create(fetched.bytes, {
          executionProviders: providers(payload),
        });
      } catch (error) {
        const text = errorText(error);
        const unavailable =
          BACKEND_UNAVAILABLE.test(text) || probedUnavailable(payload, capabilities) !== undefined;
        return ended(unavailable ? 'unsupported' : 'failed', `cannot create a session: ${text}`);
      }
      const sessionCreateMs = elapsed(createStarted);
      try {
        const setup = {
          session,
          tensor: (input: TensorInput, data: TensorData) =>
            new ort.Tensor(input.type, data, input.dims),
          runtime: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}`,
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
