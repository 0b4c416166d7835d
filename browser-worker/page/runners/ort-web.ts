import type {
  BrowserCapabilities,
  ExecutionProvider,
  WebnnDeviceType,
} from '../../../protocol/index.js';

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
export function loadOrt(): Promise<Ort> {
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

/** e.g. `onnxruntime-web 1.30.0` */
export function runtimeName(ort: Ort): string {
  return `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}`;
}

/** What a page answers a task for onnxruntime-node's provider. */
export const CPU_IS_NODE =
  "'cpu' is onnxruntime-node's provider, run by Node workers; a browser runs 'wasm', 'webgpu' or 'webnn'";

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

/** Whether a session that could not be created (with this error) means the backend is missing here. */
export function createFailure(
  errorText: string,
  choice: ProviderChoice,
  capabilities: BrowserCapabilities,
): 'unsupported' | 'failed' {
  const unavailable =
    BACKEND_UNAVAILABLE.test(errorText) || probedUnavailable(choice, capabilities) !== undefined;
  return unavailable ? 'unsupported' : 'failed';
}

/** Creates a session of `model` on the chosen provider. */
export function createSession(
  ort: Ort,
  model: Uint8Array,
  choice: ProviderChoice,
): Promise<Session> {
  const providers: Providers =
    choice.executionProvider === 'webnn'
      ? [{ name: 'webnn', deviceType: choice.webnnDeviceType }]
      : [choice.executionProvider];
  return ort.InferenceSession.create(model, { executionProviders: providers });
}
