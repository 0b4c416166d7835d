import type { Capabilities, ExecutionProvider } from '../../protocol/index.js';

/** The execution providers a worker can run a stage on, and the probe's words for those it cannot. */
export interface WorkerBackends {
  available: ExecutionProvider[];
  unavailable: Partial<Record<ExecutionProvider, string>>;
  /** The first WebNN device type whose context could be created, when webnn is available. */
  webnnDeviceType?: WebnnDeviceType;
}

type WebnnDeviceType = 'cpu' | 'gpu' | 'npu';

const NODE_ONLY = "'cpu' is onnxruntime-node's provider, run by Node workers";
const BROWSER_ONLY = 'a Node worker runs onnxruntime-node, not onnxruntime-web';

/** What the worker's capability probe found it can run, never what it was told. */
export function workerBackends(capabilities: Capabilities): WorkerBackends {
  if (capabilities.kind === 'node') {
    const cpu = capabilities.executionProviders.includes('cpu');
    return {
      available: cpu ? ['cpu'] : [],
      unavailable: {
        ...(cpu ? {} : { cpu: 'onnxruntime-node reports no cpu provider' }),
        wasm: BROWSER_ONLY,
        webgpu: BROWSER_ONLY,
        webnn: BROWSER_ONLY,
      },
    };
  }
  const available: ExecutionProvider[] = ['wasm'];
  const unavailable: WorkerBackends['unavailable'] = { cpu: NODE_ONLY };
  if (capabilities.webgpu.available) available.push('webgpu');
  else unavailable.webgpu = capabilities.webgpu.reason ?? 'no WebGPU adapter';
  const webnnDevices = Object.entries(capabilities.webnn.deviceTypes) as Array<
    [WebnnDeviceType, { available: boolean; reason?: string }]
  >;
  const webnnDevice = webnnDevices.find(([, device]) => device.available)?.[0];
  if (webnnDevice !== undefined) {
    available.push('webnn');
    return { available, unavailable, webnnDeviceType: webnnDevice };
  }
  unavailable.webnn =
    capabilities.webnn.reason ?? webnnDevices[0]?.[1].reason ?? 'no WebNN context';
  return { available, unavailable };
}
