import type {
  BrowserCapabilities,
  ExecutionProvider,
  TaskResult,
  WebnnDeviceType,
} from '../../../protocol/index.js';
import { errorText } from '../../../worker-core/index.js';
import { elapsed } from '../elapsed.js';

export type Ort = typeof import('onnxruntime-web');
export type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type Providers = NonNullable<
  Parameters<Ort['InferenceSession']['create']>[1]
>['executionProviders'];

/** The provider fields of a model or shard-stage payload. */
export interface ProviderChoice {
  executionProvider: ExecutionProvider;
  webnnDeviceType: WebnnDeviceType;
}

/** Served by the coordinator beside its .wasm files, which onnxruntime-web loads on demand. */
const ORT_DIR = '/worker/ort/';

let ortModule: Promise<Ort> | undefined;
/** onnxruntime-web is large: it loads when the first task that needs it arrives. */
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

/**
 * onnxruntime-web for a task on `executionProvider` (begun at `started`), or the result that
 * ends the task: `cpu` is onnxruntime-node's, or onnxruntime-web did not load.
 */
export async function ortFor(
  executionProvider: ExecutionProvider,
  started: number,
): Promise<{ ort: Ort } | { result: TaskResult }> {
  if (executionProvider === 'cpu') {
    const error =
      "'cpu' is onnxruntime-node's provider, run by Node workers; a browser runs 'wasm', 'webgpu' or 'webnn'";
    return { result: { status: 'unsupported', durationMs: elapsed(started), error } };
  }
  try {
    return { ort: await loadOrt() };
  } catch (error) {
    return {
      result: {
        status: 'failed',
        failureKind: 'infrastructure',
        durationMs: elapsed(started),
        error: `cannot load onnxruntime-web: ${errorText(error)}`,
      },
    };
  }
}

/** Words in onnxruntime-web's errors when a backend cannot start here, as opposed to a bad model. */
const BACKEND_UNAVAILABLE =
  /adapter|not supported|no available backend|backend not found|webgpu is not|webnn is not/i;

/** What the capability probe found missing for this provider, if anything. */
function probedUnavailable(choice: ProviderChoice, capabilities: BrowserCapabilities) {
  if (choice.executionProvider === 'webgpu' && !capabilities.webgpu.available) {
    return capabilities.webgpu.reason ?? 'no WebGPU adapter';
  }
  if (choice.executionProvider === 'webnn') {
    const device = capabilities.webnn.deviceTypes[choice.webnnDeviceType];
    if (!device.available) return device.reason ?? `no WebNN ${choice.webnnDeviceType} context`;
  }
  return undefined;
}

/** onnxruntime-web on the chosen provider: sessions, and what a failure to create one means. */
export function webRuntime(ort: Ort, choice: ProviderChoice, capabilities: BrowserCapabilities) {
  const providers: Providers =
    choice.executionProvider === 'webnn'
      ? [{ name: 'webnn', deviceType: choice.webnnDeviceType }]
      : [choice.executionProvider];
  return {
    /** e.g. `onnxruntime-web 1.30.0` */
    runtime: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}`,
    createSession: (model: Uint8Array): Promise<Session> =>
      ort.InferenceSession.create(model, { executionProviders: providers }),
    /** Whether a session that could not be created (this error) means the backend is missing here. */
    createFailure: (errorText: string): 'unsupported' | 'failed' =>
      BACKEND_UNAVAILABLE.test(errorText) || probedUnavailable(choice, capabilities) !== undefined
        ? 'unsupported'
        : 'failed',
  };
}
